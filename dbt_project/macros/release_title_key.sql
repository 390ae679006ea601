{#- The title a release is matched on across channels (int_release_sightings): lower case,
    accents and everything but letters and digits dropped, so quotes, dashes and spacing do
    not matter. Arrivals are only ever compared within one title key. -#}
{% macro release_title_key(title) -%}
    regexp_replace(lower(strip_accents({{ title }})), '[^a-z0-9]+', '', 'g')
{%- endmacro %}

{#- True when `relation` exists and has a column `column_name` (an incremental model whose
    previous table predates that column is rebuilt whole once). -#}
{% macro relation_has_column(relation, column_name) -%}
    {%- if relation is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return(column_name | lower in names) }}
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
