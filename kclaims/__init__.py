"""kclaims: organise the claims articles make and the evidence behind them."""

__version__ = "0.1.0"
