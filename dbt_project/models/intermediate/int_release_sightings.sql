{#- Release identity across channels: the rule is in _intermediate.yml. Narrow on purpose:
    the text is read once, to build the match keys, and not carried further. Incremental:
    a run recomputes the title groups its window touches (int_release_sightings_affected). -#}
-- depends_on: {{ ref('int_release_sightings_affected') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='sighted_release_id',
    on_schema_change='fail',
    pre_hook=[
        {'sql': '{{ add_title_key_column() }}', 'transaction': false},
        "{{ delete_affected_sightings() }}"
    ]
) }}

with

affected as (

    select * from {{ ref('int_release_sightings_affected') }}

),

-- every version of the affected arrivals (every arrival on a first run)
releases as (

    select source_releases.*
    from {{ ref('stg_raw__releases') }} as source_releases
    semi join affected
        on source_releases.release_id = affected.sighted_release_id

),

annotations as (

    select source_annotations.*
    from {{ ref('stg_raw__release_annotations') }} as source_annotations
    semi join affected
        on source_annotations.release_id = affected.sighted_release_id

),

latest_versions as (

    select
        release_id,
        max(release_version) as release_version
    from releases
    group by release_id

),

as_of_dates as (

    select
        release_id,
        max(reference_date) as reference_date
    from annotations
    group by release_id

),

-- the latest version of every release id, with its normalised title: lower case, accents
-- and everything but letters and digits dropped, so quotes, dashes and spacing do not matter
arrivals as (

    select
        releases.release_id,
        releases.release_version,
        releases.source,
        releases.source_name,
        releases.native_id,
        releases.url,
        releases.published_at,
        releases.published_date,
        coalesce(releases.published_date, as_of_dates.reference_date, releases.partition_date)
            as latest_possible_date,
        releases.is_truncated,
        releases.fetched_at,
        releases.content_hash,
        {{ release_title_key('releases.title') }} as title_key
    from releases
    inner join latest_versions
        on releases.release_id = latest_versions.release_id
        and releases.release_version = latest_versions.release_version
    left join as_of_dates
        on releases.release_id = as_of_dates.release_id

),

-- only a title that more than one arrival carries can hide a copy: normalise those texts
-- alone (most titles are unique; normalising every body on every run would be the cost)
shared_titles as (

    select title_key
    from arrivals
    group by title_key
    having count(*) > 1

),

candidates as (

    select
        arrivals.*,
        length(releases.body_text) as body_length,
        regexp_replace(lower(strip_accents(releases.body_text)), '[^a-z0-9]+', '', 'g') as body_key
    from arrivals
    inner join shared_titles
        on arrivals.title_key = shared_titles.title_key
    inner join releases
        on arrivals.release_id = releases.release_id
        and arrivals.release_version = releases.release_version

),

-- the best version first: full text over a teaser, a dated (feed) copy over an undated
-- (dump) one, the longer text, the first fetched, then the id
ranked as (

    select
        *,
        row_number() over (
            partition by title_key
            order by
                is_truncated,
                published_at is null,
                body_length desc,
                fetched_at,
                release_id
        ) as title_rank
    from candidates

),

-- two arrivals are one release when the normalised titles are equal, one normalised body
-- is the other or begins it (a teaser of at least 200 characters), and the dates allow it:
-- both dated within 3 days, or an undated copy (a dump) not older than the dated one
matches as (

    select
        arrival.release_id,
        best.release_id as canonical_release_id,
        best.title_rank as canonical_rank,
        case
            when arrival.body_key = best.body_key then 'same_text'
            else 'teaser_of_text'
        end as match_basis
    from ranked as arrival
    inner join ranked as best
        on arrival.title_key = best.title_key
        and best.title_rank < arrival.title_rank
    where (
            arrival.body_key = best.body_key
            or (length(arrival.body_key) >= 200 and starts_with(best.body_key, arrival.body_key))
            or (length(best.body_key) >= 200 and starts_with(arrival.body_key, best.body_key))
        )
        and (
            (arrival.published_date is not null and best.published_date is not null
                and abs(date_diff('day', arrival.published_date, best.published_date)) <= 3)
            or (arrival.published_date is null
                and arrival.latest_possible_date >= coalesce(best.published_date, arrival.latest_possible_date) - 1)
            or (best.published_date is null
                and best.latest_possible_date >= arrival.published_date - 1)
        )

),

canonical as (

    select
        release_id,
        arg_min(canonical_release_id, canonical_rank) as canonical_release_id,
        arg_min(match_basis, canonical_rank) as match_basis
    from matches
    group by release_id

),

-- an arrival matched only to a second-best copy follows that copy to its best version
resolved as (

    select
        canonical.release_id,
        coalesce(next_hop.canonical_release_id, canonical.canonical_release_id) as canonical_release_id,
        canonical.match_basis
    from canonical
    left join canonical as next_hop
        on canonical.canonical_release_id = next_hop.release_id

),

final as (

    select
        arrivals.release_id as sighted_release_id,
        coalesce(resolved.canonical_release_id, arrivals.release_id) as release_id,
        resolved.canonical_release_id is null as is_canonical,
        coalesce(resolved.match_basis, 'self') as match_basis,
        arrivals.source,
        arrivals.source_name,
        arrivals.native_id,
        arrivals.url,
        arrivals.published_at,
        arrivals.published_date,
        arrivals.is_truncated,
        arrivals.fetched_at,
        arrivals.content_hash,
        arrivals.title_key
    from arrivals
    left join resolved
        on arrivals.release_id = resolved.release_id

)

select * from final
