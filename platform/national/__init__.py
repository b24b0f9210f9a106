"""The national layer: aggregate figures across cities, never names."""
