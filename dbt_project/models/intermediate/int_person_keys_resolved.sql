{#- Resolution rules: see the model description in _intermediate.yml. -#}
with

person_mentions as (

    select * from {{ ref('stg_raw__person_mentions') }}

),

event_participants as (

    select * from {{ ref('stg_raw__event_participants') }}

),

name_keys as (

    select
        name_key,
        regexp_extract(name_key, '(\S+)$', 1) as surname_key
    from (
        select name_key from person_mentions
        union
        select name_key from event_participants
    ) as distinct_keys

),

-- the organisations a name is seen with (lower case), to rule out implausible links
name_organisations as (

    select
        name_key,
        list_distinct(list(lower(organisation)) filter (where organisation is not null))
            as organisations
    from person_mentions
    group by name_key

),

-- a full name: no other name ends with it ("catherine de bolle", not "de bolle")
full_name_keys as (

    select name_keys.name_key, name_keys.surname_key
    from name_keys
    where contains(name_keys.name_key, ' ')
        and not exists (
            select 1 from name_keys as longer_keys
            where longer_keys.surname_key = name_keys.surname_key
                and ends_with(longer_keys.name_key, ' ' || name_keys.name_key)
        )

),

candidate_links as (

    -- a name that is the tail of a full name ("rutte", "de bolle") may be that person
    select
        short_keys.name_key,
        full_name_keys.name_key as linked_name_key
    from name_keys as short_keys
    inner join full_name_keys
        on short_keys.surname_key = full_name_keys.surname_key
        and ends_with(full_name_keys.name_key, ' ' || short_keys.name_key)
    left join name_organisations as short_organisations
        on short_keys.name_key = short_organisations.name_key
    left join name_organisations as full_organisations
        on full_name_keys.name_key = full_organisations.name_key
    -- implausible when both are seen with organisations and none is shared
    where coalesce(len(short_organisations.organisations), 0) = 0
        or coalesce(len(full_organisations.organisations), 0) = 0
        or len(list_intersect(short_organisations.organisations, full_organisations.organisations)) > 0

),

surname_links as (

    -- linked only when exactly one plausible full name in the whole corpus ends with it
    select
        name_key,
        min(linked_name_key) as linked_name_key
    from candidate_links
    group by name_key
    having count(distinct linked_name_key) = 1

),

final as (

    select
        name_keys.name_key,
        coalesce(surname_links.linked_name_key, name_keys.name_key) as person_key,
        surname_links.linked_name_key is not null as is_surname_link,
        {{ surrogate_key('person', ['coalesce(surname_links.linked_name_key, name_keys.name_key)']) }}
            as person_id
    from name_keys
    left join surname_links
        on name_keys.name_key = surname_links.name_key

)

select * from final
