-- depends_on: {{ ref('int_release_sightings_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='sighted_release_id',
    on_schema_change='fail',
    pre_hook="{{ delete_affected_sightings() }}"
) }}

with

-- the arrivals int_release_sightings recomputed in this run (every arrival on a first run)
sightings as (

    select source_sightings.*
    from {{ ref('int_release_sightings') }} as source_sightings
    semi join {{ ref('int_release_sightings_affected') }} as affected
        on source_sightings.sighted_release_id = affected.sighted_release_id

),

final as (

    select
        sighted_release_id,
        release_id,
        is_canonical,
        match_basis,
        source,
        source_name,
        native_id,
        url,
        published_at,
        is_truncated,
        fetched_at,
        content_hash
    from sightings

)

select * from final
