{#-
  The work set of this run: every release the incremental marts must (re)build.
  See the model description in _intermediate.yml.
-#}
{%- set previous_releases = previous_relation('fct_releases') -%}
{%- set previous_person_mentions = previous_relation('fct_person_mentions') -%}

with

releases as (

    select * from {{ ref('int_releases_latest') }}

),

release_versions as (

    select * from {{ ref('stg_raw__releases') }}

),

annotations as (

    select * from {{ ref('stg_raw__release_annotations') }}

),

person_mentions as (

    select * from {{ ref('stg_raw__person_mentions') }}

),

location_mentions as (

    select * from {{ ref('stg_raw__location_mentions') }}

),

event_mentions as (

    select * from {{ ref('stg_raw__event_mentions') }}

),

event_participants as (

    select * from {{ ref('stg_raw__event_participants') }}

),

resolved_person_mentions as (

    select * from {{ ref('int_person_mentions_resolved') }}

),

sightings as (

    select * from {{ ref('int_release_sightings') }}

),

recomputed_arrivals as (

    select * from {{ ref('int_release_sightings_affected') }}

),

-- 1. releases with any raw row in the partition window
in_window as (

    select release_id from release_versions where {{ in_partition_window('partition_date') }}
    union
    select release_id from annotations where {{ in_partition_window('partition_date') }}
    union
    select release_id from person_mentions where {{ in_partition_window('partition_date') }}
    union
    select release_id from location_mentions where {{ in_partition_window('partition_date') }}
    union
    select release_id from event_mentions where {{ in_partition_window('partition_date') }}
    union
    select release_id from event_participants where {{ in_partition_window('partition_date') }}

),

{% if previous_releases is not none %}
-- 2. releases the marts hold but raw no longer has
vanished as (

    select previous_releases.release_id
    from {{ previous_releases }} as previous_releases
    left join releases
        on previous_releases.release_id = releases.release_id
    where releases.release_id is null

),
{% else %}
vanished as (select cast(null as varchar) as release_id where false),
{% endif %}

{% if previous_person_mentions is not none %}
-- 3. releases whose people now resolve differently (a lone surname linked or unlinked
--    because a full name appeared or disappeared elsewhere)
relinked as (

    select distinct previous_mentions.release_id
    from {{ previous_person_mentions }} as previous_mentions
    inner join resolved_person_mentions
        on previous_mentions.person_mention_id = resolved_person_mentions.person_mention_id
    where previous_mentions.person_id <> resolved_person_mentions.person_id

),
{% else %}
relinked as (select cast(null as varchar) as release_id where false),
{% endif %}

final as (

    select
        release_id,
        bool_or(reason = 'in_window') as is_in_window,
        bool_or(reason = 'vanished') as is_vanished,
        bool_or(reason = 'relinked') as is_relinked
    from (
        select release_id, 'in_window' as reason from in_window
        union all
        -- every release of a title group int_release_sightings recomputed: a new arrival of a
        -- known release (a dump copy of a feed item) refreshes that release, and a corrected
        -- title that splits a group makes its former copies releases of their own
        select sightings.release_id, 'in_window' as reason
        from sightings
        inner join recomputed_arrivals
            on sightings.sighted_release_id = recomputed_arrivals.sighted_release_id
        union all
        select release_id, 'vanished' as reason from vanished
        union all
        select release_id, 'relinked' as reason from relinked
    ) as reasons
    where release_id is not null
    group by release_id

)

select * from final
