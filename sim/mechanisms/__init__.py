"""The model's mechanisms, one module each, as array operations on ``World``."""
