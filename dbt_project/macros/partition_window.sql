{#-
  The incremental partition window: the one place that reads it. Dagster passes it as dbt's
  own `--event-time-start START --event-time-end END` (publication days, YYYY-MM-DD; END
  exclusive, like orchestration/window.py's Window); without them the window is unbounded
  (every day). Flags, not `--vars`: dbt hashes --vars into its partial-parse state, so a new
  window in --vars cost a full parse of the project on every run; the flags are not part of
  that state, and are read only while executing, never while parsing. (dbt applies them
  itself to microbatch models only; this project has none.)
  `dbt build --full-refresh` ignores the window and rebuilds everything.
-#}

{% macro partition_window() -%}
    {%- if flags.FULL_REFRESH or not execute -%}
        {{ return({'start': none, 'end': none}) }}
    {%- endif -%}
    {%- set start = invocation_args_dict.get('event_time_start') -%}
    {%- set end = invocation_args_dict.get('event_time_end') -%}
    {%- if start is none or end is none -%}
        {{ return({'start': none, 'end': none}) }}
    {%- endif -%}
    {%- for value in [start, end] -%}
        {%- if value.strftime('%H:%M:%S.%f') != '00:00:00.000000' -%}
            {{ exceptions.raise_compiler_error(
                "--event-time-start / --event-time-end are publication days (YYYY-MM-DD), got '"
                ~ value ~ "'. Leave both out to process every partition.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'start': start.strftime('%Y-%m-%d'), 'end': end.strftime('%Y-%m-%d')}) }}
{%- endmacro %}

{#- A SQL predicate: `column` (a DATE) lies inside the window [start, end). -#}
{% macro in_partition_window(column) -%}
    {%- set window = partition_window() -%}
    {%- if window['start'] -%}
        ({{ column }} >= date '{{ window['start'] }}' and {{ column }} < date '{{ window['end'] }}')
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
