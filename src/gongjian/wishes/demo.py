def build(builder):
    """Demo records of this capability (to be written)."""
