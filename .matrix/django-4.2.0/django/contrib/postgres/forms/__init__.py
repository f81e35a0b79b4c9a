from .array import *  # NOQA
from .hstore import *  # NOQA
from .ranges import *  # NOQA
