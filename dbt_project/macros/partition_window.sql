{#-
  The incremental partition window: the one place that reads it. Dagster passes it as
  `--vars '{"min_date": ..., "max_date": ...}'` (ISO dates, inclusive; empty or unset =
  unbounded); PRESSROOM_MIN_DATE / PRESSROOM_MAX_DATE are read when the vars are absent (dbt
  run by hand). A new window costs dbt a full parse (about a second).
  `dbt build --full-refresh` ignores the window and rebuilds everything.
-#}

{% macro partition_window() -%}
    {%- set min_date = var('min_date', env_var('PRESSROOM_MIN_DATE', '')) | trim -%}
    {%- set max_date = var('max_date', env_var('PRESSROOM_MAX_DATE', '')) | trim -%}
    {%- if flags.FULL_REFRESH -%}
        {{ return({'min': '', 'max': ''}) }}
    {%- endif -%}
    {%- for value in [min_date, max_date] if value -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
            {{ exceptions.raise_compiler_error(
                "PRESSROOM_MIN_DATE / PRESSROOM_MAX_DATE must be ISO dates (YYYY-MM-DD), got '"
                ~ value ~ "'. Unset them to process every partition.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'min': min_date, 'max': max_date}) }}
{%- endmacro %}

{#- True when a window is set (an incremental partition run), false for "everything". -#}
{% macro partition_window_is_bounded() -%}
    {%- set window = partition_window() -%}
    {{ return(window['min'] != '' or window['max'] != '') }}
{%- endmacro %}

{#- A SQL predicate: `column` (a DATE) lies inside the window. -#}
{% macro in_partition_window(column) -%}
    {%- set window = partition_window() -%}
    {%- set clauses = [] -%}
    {%- if window['min'] -%}{%- do clauses.append(column ~ " >= date '" ~ window['min'] ~ "'") -%}{%- endif -%}
    {%- if window['max'] -%}{%- do clauses.append(column ~ " <= date '" ~ window['max'] ~ "'") -%}{%- endif -%}
    {%- if clauses -%}({{ clauses | join(' and ') }}){%- else -%}true{%- endif -%}
{%- endmacro %}
