with

source_releases as (

    select * from {{ source('raw', 'releases') }}

),

final as (

    select
        release_id,
        cast(version as integer) as release_version,
        source,
        source_name,
        native_id,
        url,
        title,
        summary,
        body_text,
        -- raw timestamps are naive UTC; keep them as TIMESTAMP documented as UTC
        cast(published_at as timestamp) as published_at,
        cast(published_at as date) as published_date,
        cast(partition_date as date) as partition_date,
        coalesce(is_truncated, false) as is_truncated,
        nullif(lower(trim(language)), '') as language,
        nullif(trim(release_type_hint), '') as release_type_hint,
        metadata_json,
        content_hash,
        cast(fetched_at as timestamp) as fetched_at,
        payload_sha256
    from source_releases

)

select * from final
