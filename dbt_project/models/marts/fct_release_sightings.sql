with

sightings as (

    select * from {{ ref('int_release_sightings') }}

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
