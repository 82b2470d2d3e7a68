"""fabula: reads prose fiction: chapters, scenes, characters, who says each line, and more."""
from .api import analyze, build_pipeline, load
from .document import Document, Metadata
from .errors import FabulaError, InputError
from .limits import Limits

__version__ = "0.1.0"
__all__ = ["analyze", "load", "build_pipeline", "Document", "Metadata", "FabulaError", "InputError",
           "Limits", "__version__"]
