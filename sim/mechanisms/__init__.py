"""The model's mechanisms, one module each, as array operations on ``World``."""

import sim.kernel_cache  # noqa: F401  (before any kernel is declared: numba keeps them fresh)
