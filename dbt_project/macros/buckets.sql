{#-
  A model built one bucket of its input at a time (hash(key) % N): its own query builds
  bucket 0, and its post-hook `insert_buckets` inserts buckets 1 .. N-1 in the same
  transaction, so a query holds one bucket and the rows are those of one bucket. Used where
  one query over a whole archive ran out of DuckDB's 600 MB pool: the event clustering,
  int_events_deduplicated and fct_releases.
-#}

{#- One bucket per `rows_per_bucket` rows counted by `count_query`; one when not building
    (parsing, compiling, docs: the inputs may not exist) and in unit tests, whose refs are
    fixtures, not tables. -#}
{% macro bucket_count(count_query, rows_per_bucket) -%}
    {%- if not execute or model.resource_type != 'model'
            or flags.WHICH not in ['run', 'build', 'retry'] -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set per_bucket = rows_per_bucket | int -%}
    {%- set rows = run_query(count_query).columns[0].values()[0] | int -%}
    {{ return([1, (rows + per_bucket - 1) // per_bucket] | max) }}
{%- endmacro %}

{#- Post-hook: insert the rows of `rows(bucket, bucket_count)` for buckets 1 .. bucket_count - 1. -#}
{% macro insert_buckets(rows, bucket_count) -%}
    {%- set statements = [] -%}
    {%- for bucket in range(1, bucket_count) -%}
        {%- do statements.append("insert into " ~ this ~ " by name\n" ~ rows(bucket, bucket_count)) -%}
    {%- endfor -%}
    {{ statements | join(';\n') if statements else 'select 1' }}
{%- endmacro %}
