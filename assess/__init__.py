"""assess: feasibility assessment for AI and large-model ventures."""

__version__ = "0.1.0"
