"""python -m app.demo N_ITEMS OUT(.sqlite|folder) [SEED]: generate a demo plant and write it."""
from app.demo.generator import main

raise SystemExit(main())
