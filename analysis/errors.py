"""The one exception type the analysis package raises for bad input."""


class AnalysisError(ValueError):
    """Input the analysis cannot use; the message names the column or value at fault.

    It subclasses ``ValueError`` so callers that already catch ``ValueError`` keep working,
    while the CLI and the web layer can tell user mistakes apart from programming errors.
    """
