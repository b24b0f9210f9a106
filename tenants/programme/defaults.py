"""The host city's programme as the sources describe it (project description, Feb 2016).

Used to seed the host city; new cities copy the host city's current model, or these defaults
when no host city exists yet.
"""

EVENTS = (
    {
        "step": 1, "kind": "cv_workshop", "audience": "mentees", "week_offset": 0, "duration_minutes": 180,
        "name_da": "CV-workshop", "name_en": "CV workshop",
        "description_da": "Workshop for mentees om CV og ansøgninger på det danske arbejdsmarked.",
        "description_en": "Workshop for mentees on CVs and applications for the Danish job market.",
    },
    {
        "step": 1, "kind": "mentor_course", "audience": "mentors", "week_offset": 0, "duration_minutes": 180,
        "name_da": "Kursus for mentorer", "name_en": "Course for mentors",
        "description_da": "Introduktion til mentorrollen, forventninger og interkulturel kommunikation.",
        "description_en": "An introduction to the mentor's role, expectations and intercultural communication.",
    },
    {
        "step": 2, "kind": "kickoff", "audience": "both", "week_offset": 2, "duration_minutes": 180,
        "name_da": "Kick-off", "name_en": "Kick-off",
        "description_da": "Speednetworking, forventningsafstemning og første møde mellem mentor og mentee.",
        "description_en": "Speed networking, aligning expectations and the first mentor/mentee meeting.",
    },
    {
        "step": 3, "kind": "midway", "audience": "both", "week_offset": 8, "duration_minutes": 150,
        "name_da": "Midtvejsmøde", "name_en": "Midway meeting",
        "description_da": "Sparring, undervisning og netværk.",
        "description_en": "Sparring, teaching and networking.",
    },
    {
        "step": 4, "kind": "interview_workshop", "audience": "mentees", "week_offset": 12, "duration_minutes": 180,
        "name_da": "Workshop om jobsamtaler", "name_en": "Job interview workshop",
        "description_da": "Forberedelse til jobsamtaler i Danmark.",
        "description_en": "Preparing for job interviews in Denmark.",
    },
    {
        "step": 5, "kind": "closing", "audience": "both", "week_offset": 16, "duration_minutes": 150,
        "name_da": "Afslutningsmøde med evaluering", "name_en": "Closing meeting with evaluation",
        "description_da": "Afslutning af forløbet og evaluering.",
        "description_en": "Closing the round, with its evaluation.",
    },
)

CRITERIA = (
    {
        "position": 1, "code": "mentor_network",
        "question_key": "network", "yes_values": ["4", "5"], "of_everyone": False,
        "role": "mentor", "threshold": 0.6667, "measured_at": "closing",
        "statement_da": "Mindst 2/3 af mentorerne har oplevet at få udviklet deres personlige og professionelle "
        "netværk",
        "statement_en": "At least 2/3 of mentors report a developed personal and professional network",
    },
    {
        "position": 2, "code": "mentor_intercultural",
        "question_key": "intercultural", "yes_values": ["4", "5"], "of_everyone": False,
        "role": "mentor", "threshold": 0.6667,
        "measured_at": "closing",
        "statement_da": "Mindst 2/3 af mentorerne har oplevet at få styrket deres interkulturelle kompetencer",
        "statement_en": "At least 2/3 of mentors report strengthened intercultural competences",
    },
    {
        "position": 3, "code": "mentee_network",
        "question_key": "network", "yes_values": ["4", "5"], "of_everyone": False,
        "role": "mentee", "threshold": 0.6667, "measured_at": "closing",
        "statement_da": "Mindst 2/3 af mentees har oplevet at få styrket deres professionelle netværk",
        "statement_en": "At least 2/3 of mentees report a strengthened professional network",
    },
    {
        "position": 4, "code": "mentee_job_search",
        "question_key": "job_search_active", "yes_values": ["4", "5"], "of_everyone": False,
        "role": "mentee", "threshold": 0.8, "measured_at": "closing",
        "statement_da": "Mindst 80% af mentees er mere aktive i deres jobsøgning",
        "statement_en": "At least 80% of mentees are more active in their job search",
    },
    {
        "position": 5, "code": "mentee_direction",
        "question_key": "direction", "yes_values": ["4", "5"], "of_everyone": False,
        "role": "mentee", "threshold": 0.8, "measured_at": "closing",
        "statement_da": "Mindst 80% af mentees har fået en stærkere afklaring mod uddannelse eller jobfelt",
        "statement_en": "At least 80% of mentees have a clearer direction towards education or a job field",
    },
    {
        "position": 6, "code": "mentee_employed_6m",
        "question_key": "employment", "yes_values": ["full_time", "part_time", "self_employed"], "of_everyone": True,
        "role": "mentee", "threshold": 0.3333,
        "measured_at": "follow_up",
        "statement_da": "Mindst 1/3 af mentees er i beskæftigelse 6 måneder efter et afsluttet forløb",
        "statement_en": "At least 1/3 of mentees are employed 6 months after the round ended",
    },
    {
        "position": 7, "code": "would_recommend",
        "question_key": "would_recommend", "yes_values": ["yes"], "of_everyone": False,
        "role": "both", "threshold": 0.8, "measured_at": "closing",
        "statement_da": "Mindst 80% af alle mentorer og mindst 80% af alle mentees vil anbefale andre at deltage",
        "statement_en": "At least 80% of mentors and at least 80% of mentees would recommend others to take part",
    },
    {
        "position": 8, "code": "company_retention",
        "question_key": "retention", "yes_values": ["4", "5"], "of_everyone": False,
        "role": "company", "threshold": 0.6667,
        "measured_at": "follow_up",
        "statement_da": "Mindst 2/3 af de virksomheder, som stiller med mentees, oplever at have styrket deres "
        "mulighed for at fastholde den internationale medarbejder",
        "statement_en": "At least 2/3 of the companies whose employee's partner was a mentee report a strengthened "
        "ability to retain that employee",
    },
)
