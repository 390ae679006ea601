{#- Incremental: a run rebuilds the mentions of int_person_releases_affected. -#}
-- depends_on: {{ ref('int_person_releases_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='person_mention_id',
    on_schema_change='fail',
    pre_hook="{{ delete_person_releases_affected() }}"
) }}

with

person_mentions as (

    select source_mentions.*
    from {{ ref('stg_raw__person_mentions') }} as source_mentions
    semi join {{ ref('int_person_releases_affected') }} as affected
        on source_mentions.release_id = affected.release_id

),

person_keys as (

    select * from {{ ref('int_person_keys_resolved') }}

),

releases as (

    select * from {{ ref('int_releases_latest') }}

),

final as (

    select
        person_mentions.person_mention_id,
        person_mentions.release_id,
        person_keys.person_id,
        person_keys.person_key,
        person_keys.is_surname_link,
        person_mentions.name_key,
        person_mentions.full_name,
        person_mentions.surface_text,
        person_mentions.start_offset,
        person_mentions.end_offset,
        person_mentions.honorific,
        -- "NATO Secretary General" with organisation NATO -> "Secretary General"
        case
            when person_mentions.organisation is not null
                and starts_with(lower(person_mentions.title), lower(person_mentions.organisation) || ' ')
                then trim(substr(person_mentions.title, length(person_mentions.organisation) + 2))
            else person_mentions.title
        end as title,
        person_mentions.organisation,
        releases.seen_date,
        person_mentions.partition_date
    from person_mentions
    inner join person_keys
        on person_mentions.name_key = person_keys.name_key
    inner join releases
        on person_mentions.release_id = releases.release_id

)

select * from final
