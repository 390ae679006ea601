{#- The arrivals int_release_sightings recomputes in this run: see _intermediate.yml. -#}
{%- set previous_sightings = previous_relation('int_release_sightings') -%}
{%- set previous_has_keys = has_title_keys(previous_sightings) -%}

with

releases as (

    select * from {{ ref('stg_raw__releases') }}

),

annotations as (

    select * from {{ ref('stg_raw__release_annotations') }}

),

{% if previous_has_keys %}
-- 1. arrivals with a raw row in the window (a new arrival, version or annotation), and
--    arrivals the previous run held that raw no longer has (deleted, quarantined)
changed as (

    select release_id from releases where {{ in_partition_window('partition_date') }}
    union
    select release_id from annotations where {{ in_partition_window('partition_date') }}
    union
    select previous_sightings.sighted_release_id
    from {{ previous_sightings }} as previous_sightings
    anti join (select distinct release_id from releases) as raw_releases
        on previous_sightings.sighted_release_id = raw_releases.release_id
    union
    -- what a failed run left unconsumed (macros/pending_work_sets.sql)
    {{ pending_work_set('int_release_sightings_affected', 'sighted_release_id') }}

),

-- their title keys now (latest version) and before this run: a corrected title leaves one
-- group and joins another, and both must be recomputed
changed_versions as (

    select releases.release_id, releases.release_version, releases.title
    from releases
    semi join changed
        on releases.release_id = changed.release_id

),

changed_keys as (

    select {{ release_title_key('title') }} as title_key
    from changed_versions
    qualify row_number() over (partition by release_id order by release_version desc) = 1
    union
    select previous_sightings.title_key
    from {{ previous_sightings }} as previous_sightings
    semi join changed
        on previous_sightings.sighted_release_id = changed.release_id

),

-- 2. every arrival in those groups: arrivals are compared only within a title key, so the
--    other groups' rows stay as they are
final as (

    select release_id as sighted_release_id from changed
    union
    select previous_sightings.sighted_release_id
    from {{ previous_sightings }} as previous_sightings
    semi join changed_keys
        on previous_sightings.title_key = changed_keys.title_key

)
{% else %}
-- first run, --full-refresh, or a previous table without title keys (macro has_title_keys):
-- every arrival, and every row that table held
final as (

    select distinct release_id as sighted_release_id from releases
    {% if previous_sightings is not none %}
    union
    select sighted_release_id from {{ previous_sightings }}
    {% endif %}

)
{% endif %}

select * from final
