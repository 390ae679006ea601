with

person_mentions as (

    select * from {{ ref('int_person_mentions_resolved') }}

),

people as (

    select * from {{ ref('int_people_resolved') }}

),

known_offices as (

    select * from {{ ref('known_offices') }}

),

observations as (

    select
        person_id,
        title,
        coalesce(organisation, '') as organisation,
        seen_date
    from person_mentions
    where title is not null and seen_date is not null

),

last_seen as (

    select person_id, max(seen_date) as last_seen_date
    from observations
    group by person_id

),

observed_spans as (

    select
        observations.person_id,
        observations.title,
        observations.organisation,
        min(observations.seen_date) as valid_from,
        -- still held as far as we know when it was seen on the person's latest date
        case
            when max(observations.seen_date) = any_value(last_seen.last_seen_date) then null
            else max(observations.seen_date)
        end as valid_to
    from observations
    inner join last_seen
        on observations.person_id = last_seen.person_id
    group by observations.person_id, observations.title, observations.organisation

),

known_spans as (

    select
        people.person_id,
        known_offices.title,
        known_offices.organisation,
        known_offices.valid_from,
        known_offices.valid_to
    from known_offices
    inner join people
        on {{ surrogate_key('person', [person_name_key('known_offices.holder')]) }} = people.person_id

),

final as (

    select
        person_id,
        title,
        nullif(organisation, '') as organisation,
        valid_from,
        valid_to,
        true as is_known_office
    from known_spans

    union all

    -- observed spans of an office the seed knows for this person are replaced by the seed's
    select
        observed_spans.person_id,
        observed_spans.title,
        nullif(observed_spans.organisation, '') as organisation,
        observed_spans.valid_from,
        observed_spans.valid_to,
        false as is_known_office
    from observed_spans
    left join known_spans
        on observed_spans.person_id = known_spans.person_id
        and lower(observed_spans.title) = lower(known_spans.title)
        and lower(observed_spans.organisation) = lower(known_spans.organisation)
    where known_spans.person_id is null

)

select * from final
