with

person_mentions as (

    select * from {{ ref('int_person_mentions_resolved') }}

),

event_participants as (

    select * from {{ ref('int_event_participants_resolved') }}

),

person_keys as (

    select * from {{ ref('int_person_keys_resolved') }}

),

releases as (

    select * from {{ ref('int_releases_latest') }}

),

known_offices as (

    select * from {{ ref('known_offices') }}

),

-- every time a person is named: their mentions, plus participants with no mention row
name_occurrences as (

    select
        person_id,
        release_id,
        name_key,
        full_name,
        surface_text,
        honorific,
        title,
        organisation,
        seen_date,
        start_offset
    from person_mentions

    union all

    select
        event_participants.person_id,
        event_participants.release_id,
        event_participants.name_key,
        event_participants.full_name,
        event_participants.full_name as surface_text,
        null as honorific,
        null as title,
        null as organisation,
        releases.seen_date,
        event_participants.evidence_start as start_offset
    from event_participants
    inner join releases
        on event_participants.release_id = releases.release_id
    where not event_participants.has_person_mention

),

display_names as (

    -- the display name: the spelling used most often for the person's own key (not a
    -- surname-only link), preferring the accented spelling, then the longer one
    select
        name_occurrences.person_id,
        name_occurrences.full_name,
        row_number() over (
            partition by name_occurrences.person_id
            order by
                count(*) desc,
                (name_occurrences.full_name <> strip_accents(name_occurrences.full_name)) desc,
                length(name_occurrences.full_name) desc,
                name_occurrences.full_name
        ) as name_rank
    from name_occurrences
    inner join person_keys
        on name_occurrences.name_key = person_keys.name_key
    where not person_keys.is_surname_link
    group by name_occurrences.person_id, name_occurrences.full_name

),

latest_titles as (

    select
        person_id,
        title,
        organisation
    from name_occurrences
    where title is not null or organisation is not null
    qualify row_number() over (
        partition by person_id
        order by seen_date desc nulls last, release_id desc, start_offset desc
    ) = 1

),

honorifics as (

    select
        person_id,
        honorific
    from name_occurrences
    where honorific is not null
    group by person_id, honorific
    qualify row_number() over (partition by person_id order by count(*) desc, honorific) = 1

),

variants as (

    select
        name_occurrences.person_id,
        -- names only: a surface text counts when every word of it is a word of the
        -- person's name ("Mr Stoltenberg"), never a bare title ("Secretary General")
        list_sort(list_filter(list_distinct(flatten(list([
            name_occurrences.full_name,
            case
                when list_has_all(
                    string_split(person_keys.person_key, ' '),
                    string_split(coalesce({{ person_name_key('name_occurrences.surface_text') }}, ''), ' ')
                ) then name_occurrences.surface_text
            end
        ]))), variant -> variant is not null)) as name_variants,
        min(name_occurrences.seen_date) as first_seen_date,
        max(name_occurrences.seen_date) as last_seen_date,
        count(distinct name_occurrences.release_id) as release_count,
        count(*) as mention_count
    from name_occurrences
    inner join person_keys
        on name_occurrences.name_key = person_keys.name_key
    group by name_occurrences.person_id

),

seen_people as (

    select
        variants.person_id,
        coalesce(display_names.full_name, variants.name_variants[1]) as full_name,
        variants.name_variants,
        honorifics.honorific,
        latest_titles.title,
        latest_titles.organisation,
        variants.first_seen_date,
        variants.last_seen_date,
        variants.release_count,
        variants.mention_count,
        false as is_reference_only
    from variants
    left join display_names
        on variants.person_id = display_names.person_id
        and display_names.name_rank = 1
    left join latest_titles
        on variants.person_id = latest_titles.person_id
    left join honorifics
        on variants.person_id = honorifics.person_id

),

-- holders of a known office the corpus never names: still people, so that "who held the
-- office on that day" has an answer for every day the reference data covers
reference_people as (

    select
        {{ surrogate_key('person', [person_name_key('holder')]) }} as person_id,
        holder as full_name,
        [holder] as name_variants,
        cast(null as varchar) as honorific,
        arg_max(title, valid_from) as title,
        arg_max(organisation, valid_from) as organisation,
        cast(null as date) as first_seen_date,
        cast(null as date) as last_seen_date,
        0 as release_count,
        0 as mention_count,
        true as is_reference_only
    from known_offices
    group by holder

),

final as (

    select * from seen_people
    union all
    select * from reference_people
    where person_id not in (select person_id from seen_people)

)

select * from final
