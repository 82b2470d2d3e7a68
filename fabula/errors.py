"""fabula's one documented error type: anything else escaping the API is a bug."""


class FabulaError(Exception):
    """A problem with the input or the request, told in one line a user can act on."""


class InputError(FabulaError):
    """The input cannot be read: missing, empty, binary, corrupt, or over a limit."""


class PipelineError(FabulaError):
    """A pipeline was assembled whose steps' needs are not met."""
