"""Imported only by the extraction pool's fork server (never by pressroom itself): builds the
gazetteer and compiled patterns once in that single-threaded process, so the workers it forks
share them without the pressroom process itself ever forking while it holds threads (DuckDB's,
Dagster's), which deadlocked workers on locks held by threads that do not exist in the child.
"""

import gc

from orchestration.extract.pipeline import _WARM_UP, extract_release

extract_release(_WARM_UP)
gc.collect()
gc.freeze()
