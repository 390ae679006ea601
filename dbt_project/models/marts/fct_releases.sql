-- depends_on: {{ ref('int_releases_windowed') }}
{#- The query, run one bucket of the work set at a time, is in macros/release_buckets.sql. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='release_id',
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_work_set_releases() }}",
    post_hook="{{ insert_buckets(fct_releases_rows, release_bucket_count()) }}"
) }}

{{ fct_releases_rows(0, release_bucket_count()) }}
