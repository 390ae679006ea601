"""dbt started before it is needed: a process that has imported dbt-core and parsed the
project while the run fetched, waiting for the one ``dbt build`` a pipeline runs.

Starting dbt costs ~2.5 s on this machine before its first node runs (its import, ~1.5 s,
and its first invocation's set-up and partial parse, ~0.9 s): most of a new day's margin.
``pressroom-dbt`` (`launcher`) stands where dagster-dbt runs ``dbt``: it hands its command,
environment and standard streams to the waiting process (`server`), or, when none waits,
becomes ``dbt`` itself. dagster-dbt's own path is unchanged (it streams the same JSON
events and reads the same exit code), and so is what dbt does: the build is a whole
invocation with its own partial parse, as it would be in a process of its own.
"""
