{#- Offices and tenure: the rules are in _intermediate.yml (int_person_roles). -#}
with

person_mentions as (

    select * from {{ ref('int_person_mentions_resolved') }}

),

releases as (

    select * from {{ ref('int_releases_latest') }}

),

people as (

    select * from {{ ref('int_people_resolved') }}

),

known_offices as (

    select * from {{ ref('known_offices') }}

),

office_synonyms as (

    select * from {{ ref('office_synonyms') }}

),

countries as (

    select * from {{ ref('countries') }}

),

-- "Minister of National Defence of Romania": the office, and the country as organisation;
-- matched once per distinct title (a title against every country), not once per mention
title_countries as (

    select
        titles.title,
        countries.country_name as title_country
    from (select distinct title from person_mentions where title is not null) as titles
    left join countries
        on ends_with(lower(titles.title), ' of ' || lower(countries.country_name))
    qualify row_number() over (
        partition by titles.title
        order by length(countries.country_name) desc nulls last
    ) = 1

),

titles_split as (

    select
        person_mentions.*,
        title_countries.title_country
    from person_mentions
    inner join title_countries
        on person_mentions.title = title_countries.title

),

-- every dated mention with a title, its title mapped to the canonical office
observations as (

    select
        titles_split.person_id,
        coalesce(office_synonyms.canonical_title, titles_split.office_title) as title,
        coalesce(
            titles_split.organisation, titles_split.title_country, office_synonyms.implied_organisation
        ) as organisation,
        coalesce(office_synonyms.is_generic, false) as is_generic_title,
        titles_split.seen_date,
        releases.seen_date_basis
    from (
        select
            *,
            case
                when title_country is not null
                    then trim(left(title, length(title) - length(' of ' || title_country)))
                else trim(title)
            end as office_title
        from titles_split
    ) as titles_split
    inner join releases
        on titles_split.release_id = releases.release_id
    left join office_synonyms
        on lower(titles_split.office_title) = office_synonyms.title_variant
    where titles_split.seen_date is not null

),

-- a generic title ("Minister") is the person's one specific office that names it
-- ("Minister of Defence"); with none or several it stays as it is
specific_offices as (

    select
        generic_titles.person_id,
        generic_titles.title as generic_title,
        min(observations.title) as specific_title
    from (select distinct person_id, title from observations where is_generic_title) as generic_titles
    inner join observations
        on generic_titles.person_id = observations.person_id
        and not observations.is_generic_title
        and regexp_matches(lower(observations.title), '\b' || lower(generic_titles.title) || '\b')
    group by generic_titles.person_id, generic_titles.title
    having count(distinct observations.title) = 1

),

offices as (

    select
        observations.person_id,
        coalesce(specific_offices.specific_title, observations.title) as title,
        observations.organisation,
        observations.seen_date,
        observations.seen_date_basis
    from observations
    left join specific_offices
        on observations.person_id = specific_offices.person_id
        and observations.title = specific_offices.generic_title

),

-- the organisation from context: an office seen without one takes the organisation the
-- person is most often seen with in that office
office_organisations as (

    select
        person_id,
        title,
        organisation
    from offices
    where organisation is not null
    group by person_id, title, organisation
    qualify row_number() over (
        partition by person_id, title order by count(*) desc, organisation
    ) = 1

),

dated_offices as (

    select
        offices.person_id,
        offices.title,
        coalesce(offices.organisation, office_organisations.organisation, '') as organisation,
        offices.seen_date,
        offices.seen_date_basis
    from offices
    left join office_organisations
        on offices.person_id = office_organisations.person_id
        and offices.title = office_organisations.title

),

-- first and last observation, by publication date; a dump's as-of date only when the
-- office was never seen in a dated release
observed as (

    select
        person_id,
        title,
        organisation,
        coalesce(
            min(seen_date) filter (where seen_date_basis = 'publication'), min(seen_date)
        ) as first_observed_date,
        coalesce(
            max(seen_date) filter (where seen_date_basis = 'publication'), max(seen_date)
        ) as last_observed_date,
        case
            when bool_or(seen_date_basis = 'publication') then 'publication'
            else min(seen_date_basis)
        end as date_basis,
        count(*) as observation_count
    from dated_offices
    group by person_id, title, organisation

),

last_seen as (

    select person_id, max(last_observed_date) as last_observed_date
    from observed
    group by person_id

),

observed_spans as (

    select
        observed.*,
        observed.first_observed_date as valid_from,
        -- still held as far as we know when it was seen on the person's latest date
        case
            when observed.last_observed_date = last_seen.last_observed_date then null
            else observed.last_observed_date
        end as valid_to
    from observed
    inner join last_seen
        on observed.person_id = last_seen.person_id

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

    -- the true tenure of an office the reference data knows, with what the corpus saw of it
    select
        known_spans.person_id,
        known_spans.title,
        nullif(known_spans.organisation, '') as organisation,
        known_spans.valid_from,
        known_spans.valid_to,
        true as is_known_office,
        observed.first_observed_date,
        observed.last_observed_date,
        coalesce(observed.observation_count, 0) as observation_count,
        coalesce(observed.date_basis, 'reference') as date_basis
    from known_spans
    left join observed
        on known_spans.person_id = observed.person_id
        and lower(known_spans.title) = lower(observed.title)
        and lower(known_spans.organisation) = lower(observed.organisation)

    union all

    -- observed spans of an office the seed knows for this person are replaced by the seed's
    select
        observed_spans.person_id,
        observed_spans.title,
        nullif(observed_spans.organisation, '') as organisation,
        observed_spans.valid_from,
        observed_spans.valid_to,
        false as is_known_office,
        observed_spans.first_observed_date,
        observed_spans.last_observed_date,
        observed_spans.observation_count,
        observed_spans.date_basis
    from observed_spans
    left join known_spans
        on observed_spans.person_id = known_spans.person_id
        and lower(observed_spans.title) = lower(known_spans.title)
        and lower(observed_spans.organisation) = lower(known_spans.organisation)
    where known_spans.person_id is null

)

select * from final
