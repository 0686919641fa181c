"""skdigit's benchmark suite: ``python -m benchmarks`` (see ``README.md`` here).

:mod:`benchmarks.harness` runs the sections (one module each), :mod:`benchmarks.report`
renders their results, :mod:`benchmarks.objective` is the one objective all
models are judged by.
"""
