"""Single source of the package version.

``GENERATOR_VERSION`` is part of every dataset's identity: bump it whenever the same scenario and
seed would produce different bytes, so that cached datasets and results are never mixed up.
"""

__version__ = "0.1.0"
GENERATOR_VERSION = "5"
