with

releases as (

    select * from {{ ref('stg_raw__releases') }}

),

annotations as (

    select * from {{ ref('stg_raw__release_annotations') }}

),

versions_ranked as (

    select
        *,
        row_number() over (partition by release_id order by release_version desc) as version_rank,
        count(*) over (partition by release_id) as version_count
    from releases

),

latest_annotations as (

    select
        release_id,
        release_version,
        release_type,
        reference_date,
        extractor_version
    from annotations
    qualify row_number() over (
        partition by release_id order by release_version desc, extractor_version desc
    ) = 1

),

final as (

    select
        versions_ranked.release_id,
        versions_ranked.release_version,
        versions_ranked.version_count,
        versions_ranked.source,
        versions_ranked.source_name,
        versions_ranked.native_id,
        versions_ranked.url,
        versions_ranked.title,
        versions_ranked.summary,
        versions_ranked.body_text,
        coalesce(
            latest_annotations.release_type,
            case
                when versions_ranked.release_type_hint ilike '%advisory%' then 'media_advisory'
                when versions_ranked.release_type_hint ilike 'press release%' then 'press_release'
                when versions_ranked.release_type_hint ilike '%statement%' then 'statement'
                when versions_ranked.release_type_hint ilike '%speech%'
                    or versions_ranked.release_type_hint ilike '%opinion%' then 'speech'
                when versions_ranked.release_type_hint ilike '%news%' then 'news'
                else 'other'
            end
        ) as release_type,
        versions_ranked.release_type_hint,
        versions_ranked.language,
        versions_ranked.published_at,
        versions_ranked.published_date,
        latest_annotations.reference_date,
        -- the date a release speaks from: its publication date, else the dump's as-of date
        coalesce(
            versions_ranked.published_date,
            latest_annotations.reference_date,
            versions_ranked.partition_date
        ) as seen_date,
        versions_ranked.partition_date,
        versions_ranked.is_truncated,
        versions_ranked.word_count,
        versions_ranked.content_hash,
        versions_ranked.fetched_at,
        latest_annotations.extractor_version,
        versions_ranked.metadata_json
    from versions_ranked
    left join latest_annotations
        on versions_ranked.release_id = latest_annotations.release_id
    where versions_ranked.version_rank = 1

)

select * from final
