{#- The title a release is matched on across channels (int_release_sightings): lower case,
    accents and everything but letters and digits dropped, so quotes, dashes and spacing do
    not matter. Arrivals are only ever compared within one title key. -#}
{% macro release_title_key(title) -%}
    regexp_replace(lower(strip_accents({{ title }})), '[^a-z0-9]+', '', 'g')
{%- endmacro %}

{#- True when `relation` (int_release_sightings as the previous run left it) holds a title
    key on every row. False when it does not exist, predates the column (an older
    pressroom's table: int_release_sightings adds the column before its first incremental
    run) or holds rows without one (that run failed after adding it): then every arrival is
    recomputed, once. raw.releases.title is not null, so a complete table has no null key. -#}
{% macro has_title_keys(relation) -%}
    {%- if relation is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- if 'title_key' not in names -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set missing = run_query('select count(*) from ' ~ relation ~ ' where title_key is null') -%}
    {{ return(missing.columns[0].values()[0] == 0) }}
{%- endmacro %}

{#- Pre-hook of int_release_sightings, outside its transaction: an older pressroom's table
    gets the title_key column (null; int_release_sightings_affected then recomputes every
    arrival). dbt's own on_schema_change would add it inside the transaction that also
    deletes rows, which DuckDB refuses to commit. -#}
{% macro add_title_key_column() -%}
    {%- if is_incremental() -%}
        {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if 'title_key' not in names -%}
            alter table {{ this }} add column title_key varchar
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_release_sightings and fct_release_sightings: drop the rows of every
    arrival this run recomputes (int_release_sightings_affected), including arrivals raw no
    longer holds. Renders to nothing on the first run and under --full-refresh. -#}
{% macro delete_affected_sightings() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where sighted_release_id in (
            select sighted_release_id from {{ ref('int_release_sightings_affected') }}
        )
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of int_releases_latest: drop every release among the affected arrivals (a
    release id is its best arrival's id), including one that is now another's copy or gone. -#}
{% macro delete_affected_releases() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where release_id in (
            select sighted_release_id from {{ ref('int_release_sightings_affected') }}
        )
    {%- endif -%}
{%- endmacro %}
