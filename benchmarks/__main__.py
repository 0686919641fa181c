"""``python -m benchmarks [--quick] [--sections a,b] ...``: see ``benchmarks/README.md``."""

from benchmarks.harness import main

main()
