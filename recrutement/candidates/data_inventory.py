"""What the platform keeps about people, column by column, and for how long: the list
that /donnees-personnelles and the candidate's /candidat/donnees show.

Every table of the database is either described here (each of its columns on a line
of the page, or among the internal numbers that link rows) or declared free of
personal data (NOT_PERSONAL). tests/candidates/test_data_inventory.py holds the
two to the models: a new column or table that nobody described fails the tests, so
the page never lags behind what is collected.

Retention texts may name the configured periods: {retention} (candidates' accounts
and applications), {idle} / {absolute} (sessions of candidates and employers),
{staff_idle} / {staff_absolute} (sessions of préfecture, ANAH and ANCT agents).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from recrutement.accounts.devices import DEVICE_LIFETIME

# Audiences: whose data a record is about. The candidate's own page shows theirs.
CANDIDATE = "candidate"
EMPLOYER = "employer"
STAFF = "staff"
EVERYONE = frozenset({CANDIDATE, EMPLOYER, STAFF})


@dataclass(frozen=True)
class Item:
    """One line of the page: what is kept, and the columns it stands for."""

    text: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """One table that holds data about people."""

    table: str
    title: str
    audiences: frozenset[str]
    purpose: str
    retention: str
    items: tuple[Item, ...]
    # Internal numbers that only link rows (ids and foreign keys): one line for all.
    links: tuple[str, ...] = ()

    @property
    def columns(self) -> set[str]:
        return {column for item in self.items for column in item.columns} | set(self.links)


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    lifetime: str


LINKS_TEXT = "des numéros internes qui relient ces données entre elles (compte, offre, fichier…)"

RECORDS: tuple[Record, ...] = (
    # --- Candidates -----------------------------------------------------------------
    Record(
        "candidate_profile",
        "Profil de candidat",
        frozenset({CANDIDATE}),
        "accompagner vos candidatures, vous proposer votre CV par défaut, et établir des "
        "statistiques anonymes sur le programme.",
        "jusqu'à la suppression du compte, à votre demande ou après {retention} sans "
        "connexion ni candidature.",
        (
            Item("votre téléphone (facultatif)", ("phone",)),
            Item("votre commune de résidence (facultative)", ("town_insee_code",)),
            Item(
                "les régions et départements où vous êtes prêt ou prête à travailler",
                ("mobility_regions", "mobility_departments"),
            ),
            Item("votre CV par défaut (voir «\u00a0Documents\u00a0»)", ("default_cv_id",)),
            Item(
                "vos réponses facultatives pour les statistiques : années d'expérience, "
                "diplôme, domaine d'études, genre ; elles ne sont jamais montrées aux "
                "collectivités",
                ("experience_years", "diploma", "field_of_study", "gender"),
            ),
            Item("la date de la dernière modification du profil", ("updated_at",)),
            Item(
                "les dates de vos deux dernières visites de votre espace, pour vous montrer "
                "les offres parues depuis",
                ("home_seen_at", "previous_visit_at"),
            ),
        ),
        links=("id", "user_id"),
    ),
    Record(
        "stored_file",
        "Documents (CV, fiches de poste, pièces des demandes de cofinancement)",
        EVERYONE,
        "transmettre vos documents à ceux qui doivent les lire, et à eux seuls.",
        "avec ce à quoi ils sont joints : un CV est effacé avec le compte ou quand la "
        "candidature est anonymisée ; les pièces d'une demande de cofinancement restent "
        "avec la demande.",
        (
            Item(
                "le fichier PDF, son nom d'origine, son type et sa taille",
                ("original_name", "content_type", "size"),
            ),
            Item(
                "le nom aléatoire sous lequel il est rangé sur le serveur et son empreinte "
                "SHA-256, qui permet de vérifier qu'il n'a pas été altéré",
                ("stored_name", "sha256"),
            ),
            Item("la date du dépôt", ("created_at",)),
        ),
        links=("id",),
    ),
    Record(
        "application",
        "Candidatures",
        frozenset({CANDIDATE}),
        "transmettre votre candidature à la collectivité et vous tenir informé de son suivi.",
        "votre lettre, votre CV, les détails d'entretien et le motif de refus sont effacés "
        "quand vous supprimez votre compte, ou {retention} après la décision ou le retrait ; "
        "la candidature devient alors anonyme : seuls l'offre, l'état et les dates restent, "
        "pour les statistiques du programme.",
        (
            Item("votre lettre de motivation et le CV envoyé", ("cover_letter", "cv_id")),
            Item("l'état de la candidature", ("status",)),
            Item("les date, heure et lieu de l'entretien", ("interview_details",)),
            Item(
                "le motif de refus, et si la collectivité a choisi de vous le communiquer",
                ("rejection_reason", "rejection_reason_shared"),
            ),
            Item(
                "les dates d'envoi, de dernière modification, de décision et d'anonymisation",
                ("created_at", "updated_at", "decided_at", "anonymised_at"),
            ),
            Item(
                "le dernier message que vous avez lu, pour compter vos messages non lus",
                ("candidate_read_message_id",),
            ),
        ),
        links=("id", "offer_id", "candidate_id"),
    ),
    Record(
        "application_message",
        "Messages des candidatures",
        frozenset({CANDIDATE, EMPLOYER}),
        "vos échanges avec la collectivité à propos d'une candidature.",
        "effacés, des deux côtés, quand la candidature est anonymisée.",
        (
            Item("le texte du message et sa date", ("body", "created_at")),
            Item(
                "qui l'a écrit : vous, ou un membre de la collectivité",
                ("author_side", "author_id"),
            ),
        ),
        links=("id", "application_id"),
    ),
    Record(
        "saved_search",
        "Recherches enregistrées et alertes",
        frozenset({CANDIDATE}),
        "vous envoyer les nouvelles offres qui correspondent à vos recherches.",
        "jusqu'à ce que vous supprimiez l'alerte (dans votre espace ou par le lien de "
        "chaque courriel) ou votre compte.",
        (
            Item("le nom et les critères de la recherche", ("name", "query")),
            Item(
                "la fréquence de l'alerte et la date du dernier envoi",
                ("frequency", "last_sent_at"),
            ),
            Item("la date de création", ("created_at",)),
            Item(
                "l'empreinte du lien de désinscription (le lien lui-même n'est pas conservé)",
                ("unsubscribe_token_hash",),
            ),
        ),
        links=("id", "user_id"),
    ),
    Record(
        "alerted_offer",
        "Offres déjà envoyées par une alerte",
        frozenset({CANDIDATE}),
        "ne jamais vous envoyer deux fois la même offre.",
        "effacées avec l'alerte.",
        (Item("l'offre envoyée et la date de l'envoi", ("offer_id", "sent_at")),),
        links=("saved_search_id",),
    ),
    Record(
        "favourite",
        "Favoris",
        frozenset({CANDIDATE}),
        "retrouver les offres que vous avez gardées.",
        "jusqu'à ce que vous retiriez l'offre de vos favoris ou supprimiez votre compte.",
        (Item("l'offre gardée et la date de l'ajout", ("offer_id", "created_at")),),
        links=("user_id",),
    ),
    Record(
        "recruit",
        "Fiche anonyme de chaque recrutement",
        EVERYONE,
        "les statistiques publiques du programme (profil des chefs de projet recrutés, "
        "délais de recrutement, postes pourvus) ; tout effectif inférieur à 5 est masqué.",
        "conservée pour l'histoire du programme, même après la suppression du compte : "
        "elle ne porte ni nom, ni adresse, ni lien vers le compte de la personne recrutée.",
        (
            Item(
                "les réponses facultatives de la personne recrutée, copiées sans son nom : "
                "tranche d'expérience, diplôme, domaine d'études, genre",
                ("experience", "diploma", "field_of_study", "gender"),
            ),
            Item(
                "la collectivité, son département et sa nature (commune, EPCI, PETR)",
                ("organisation_id", "department_code", "employer_kind"),
            ),
            Item(
                "le poste (l'offre, ou l'intitulé déclaré dans une demande de "
                "cofinancement) et la façon dont il a été connu",
                ("post_key", "offer_id", "source"),
            ),
            Item(
                "les dates de prise de poste, de fin de contrat et de recrutement, et le "
                "délai de recrutement en jours",
                ("started_on", "ends_on", "hired_on", "days_to_hire", "created_at"),
            ),
        ),
        links=("id",),
    ),
    # --- Every account ----------------------------------------------------------------
    Record(
        "user_account",
        "Compte",
        EVERYONE,
        "vous identifier, vous écrire et sécuriser votre accès.",
        "compte candidat : jusqu'à sa suppression, à votre demande ou après {retention} "
        "sans connexion ni candidature ; comptes des collectivités et des agents : tant "
        "que la personne exerce les fonctions qui justifient son accès, puis désactivés.",
        (
            Item("vos prénom et nom", ("first_name", "last_name")),
            Item(
                "votre adresse électronique et la date de sa confirmation",
                (
                    "email",
                    "email_confirmed_at",
                ),
            ),
            Item(
                "votre mot de passe, jamais en clair : seule son empreinte (Argon2id) est "
                "conservée",
                ("password_hash",),
            ),
            Item("votre rôle (candidat, collectivité, préfecture, ANAH, ANCT)", ("role",)),
            Item("si le compte est actif ou désactivé", ("is_active_account",)),
            Item(
                "les dates d'inscription et de dernière connexion",
                (
                    "created_at",
                    "last_login_at",
                ),
            ),
            Item(
                "un jeton renouvelé à chaque changement de mot de passe, qui ferme alors "
                "toutes vos sessions",
                ("session_token",),
            ),
        ),
        links=("id",),
    ),
    Record(
        "user_session",
        "Sessions de connexion",
        EVERYONE,
        "vous garder connecté et pouvoir fermer une session à distance.",
        "une session se ferme à la déconnexion, après {idle} sans activité ou {absolute} "
        "après la connexion ({staff_idle} et {staff_absolute} pour les agents des "
        "préfectures, de l'ANAH et de l'ANCT) ; elle est effacée un jour plus tard.",
        (
            Item(
                "l'empreinte du jeton de session (le jeton lui-même n'est que dans votre "
                "navigateur)",
                ("token_hash",),
            ),
            Item(
                "les dates de connexion, de dernière activité et de fin de session",
                ("created_at", "last_seen_at", "ended_at"),
            ),
        ),
        links=("user_id",),
    ),
    Record(
        "audit_event",
        "Journal des actions",
        EVERYONE,
        "la traçabilité des décisions (qui a fait quoi, et quand) et l'historique que "
        "chacun voit sur ses dossiers.",
        "conservé avec le dossier qu'il décrit ; quand un candidat supprime son compte, "
        "les événements de son compte sont effacés, son nom est retiré des autres et les "
        "commentaires de ses candidatures sont vidés.",
        (
            Item(
                "la date, l'auteur et la nature de l'action", ("created_at", "actor_id", "action")
            ),
            Item("le dossier concerné", ("object_type", "object_id")),
            Item(
                "le commentaire joint (un motif de refus, les détails d'un entretien…)",
                ("comment",),
            ),
        ),
        links=("id",),
    ),
    Record(
        "outgoing_email",
        "Courriels envoyés par la plateforme",
        EVERYONE,
        "vous prévenir (candidature reçue, nouveau message, alerte, décision…) et "
        "renvoyer un courriel si l'envoi a échoué.",
        "effacés 90 jours après leur envoi ; ceux adressés à un candidat qui supprime "
        "son compte sont effacés aussitôt.",
        (
            Item(
                "le destinataire, l'objet, le texte et les en-têtes du courriel",
                ("recipient", "subject", "body_text", "body_html", "headers", "template"),
            ),
            Item(
                "l'état de l'envoi : dates, tentatives, dernière erreur",
                (
                    "status",
                    "created_at",
                    "send_after",
                    "claimed_until",
                    "claimed_by",
                    "attempts",
                    "last_error",
                    "sent_at",
                ),
            ),
        ),
        links=("id",),
    ),
    Record(
        "rate_limit_counter",
        "Compteurs contre les abus",
        EVERYONE,
        "freiner les tentatives de deviner un mot de passe et les envois abusifs "
        "(connexions échouées, inscriptions, demandes de nouveau mot de passe).",
        "effacés à la fin de leur fenêtre de comptage : 10 minutes à 1 heure.",
        (
            Item(
                "l'action comptée et l'empreinte SHA-256 de votre adresse IP ou de votre "
                "adresse électronique : ni l'une ni l'autre n'y figure en clair",
                ("key",),
            ),
            Item("le nombre de tentatives et la fin de la fenêtre", ("hits", "expires_at")),
        ),
    ),
    # --- Members of the collectivités ---------------------------------------------------
    Record(
        "membership",
        "Rattachement à une collectivité",
        frozenset({EMPLOYER}),
        "donner aux membres l'accès aux offres, candidatures et demandes de leur "
        "collectivité, et les prévenir selon leur choix.",
        "tant que la personne est membre de la collectivité.",
        (
            Item("la collectivité et la date du rattachement", ("organisation_id", "created_at")),
            Item(
                "la fréquence des courriels choisie et la date du dernier résumé",
                ("notification_frequency", "last_digest_at"),
            ),
            Item(
                "les dates des deux dernières visites de l'espace, pour montrer ce qui est "
                "arrivé depuis",
                ("last_seen_at", "previous_visit_at"),
            ),
        ),
        links=("id", "user_id"),
    ),
    Record(
        "invitation",
        "Invitations des membres",
        frozenset({EMPLOYER}),
        "permettre à un membre d'inviter un collègue à rejoindre la collectivité.",
        "avec la collectivité ; le lien d'invitation expire après 14 jours.",
        (
            Item("l'adresse électronique invitée et qui a invité", ("email", "invited_by_id")),
            Item(
                "l'empreinte du lien d'invitation (le lien lui-même n'est pas conservé)",
                ("token_hash",),
            ),
            Item(
                "les dates d'envoi, d'expiration, d'acceptation ou d'annulation",
                ("created_at", "expires_at", "accepted_at", "revoked_at"),
            ),
        ),
        links=("id", "organisation_id"),
    ),
    Record(
        "offer",
        "Offres d'emploi",
        frozenset({EMPLOYER}),
        "publier l'offre ; le contact qu'elle nomme est public tant qu'elle est publiée.",
        "conservées avec la collectivité.",
        (
            Item(
                "le contact de l'offre : nom, adresse électronique, téléphone",
                ("contact_name", "contact_email", "contact_phone"),
            ),
            Item("le membre qui a créé l'offre", ("created_by_id",)),
            Item(
                "le contenu de l'offre, qui ne porte pas sur des personnes : intitulé, "
                "autorité de recrutement, poste, lieu, contrat, catégorie et grades, temps "
                "de travail, télétravail, salaire, dates, missions, profil, avantages, "
                "expérience, fiche de poste jointe, états et dates de publication",
                (
                    "status",
                    "title",
                    "recruiting_authority",
                    "post_is_new",
                    "vacant_since",
                    "workplace_insee_code",
                    "contract_type",
                    "category",
                    "grades",
                    "working_time_percent",
                    "remote_work",
                    "salary_min",
                    "salary_max",
                    "start_date",
                    "duration_months",
                    "application_deadline",
                    "missions",
                    "profile",
                    "benefits",
                    "experience",
                    "attachment_id",
                    "created_at",
                    "updated_at",
                    "published_at",
                    "first_published_at",
                    "closed_at",
                    "filled_at",
                    "expired_at",
                ),
            ),
        ),
        links=("id", "organisation_id"),
    ),
    Record(
        "organisation",
        "Collectivités",
        frozenset({EMPLOYER, STAFF}),
        "savoir quelle collectivité recrute, et la faire valider par sa préfecture.",
        "conservées tant que la collectivité utilise la plateforme.",
        (
            Item(
                "le nom, la nature, la commune ou l'intercommunalité et le département",
                ("name", "kind", "commune_insee_code", "grouping_siren", "department_code"),
            ),
            Item(
                "la validation : état, date, agent qui a décidé et motif d'un refus",
                ("status", "decided_at", "decided_by_id", "refusal_reason", "created_at"),
            ),
        ),
        links=("id",),
    ),
    Record(
        "cofunding_request",
        "Demandes de cofinancement",
        frozenset({EMPLOYER, STAFF}),
        "instruire et décider le cofinancement du poste de chef de projet.",
        "pendant la durée du financement du poste, puis archivées selon les règles des "
        "archives publiques.",
        (
            Item(
                "le chef de projet : prénom, nom, date de prise de poste, contrat et date de fin",
                (
                    "holder_first_name",
                    "holder_last_name",
                    "holder_start_date",
                    "contract_type",
                    "contract_end_date",
                ),
            ),
            Item(
                "le poste, la période et le coût chargé annuel, les financeurs sollicités et "
                "l'opération d'habitat",
                (
                    "post_title",
                    "post_key",
                    "period_start",
                    "period_end",
                    "annual_loaded_cost",
                    "bdt_asked",
                    "anah_asked",
                    "housing_operation",
                ),
            ),
            Item(
                "l'instruction : état, agent instructeur, motif de la décision, décision "
                "au format PDF et dates",
                (
                    "status",
                    "instructor_id",
                    "decision_reason",
                    "decision_pdf_id",
                    "rule_id",
                    "version",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "instruction_started_at",
                    "decided_at",
                ),
            ),
            Item(
                "un jeton qui empêche de créer deux fois la même demande",
                ("creation_token",),
            ),
        ),
        links=("id", "organisation_id", "offer_id", "application_id", "renewal_of_id"),
    ),
    Record(
        "cofunding_attachment",
        "Pièces des demandes de cofinancement",
        frozenset({EMPLOYER, STAFF}),
        "justifier la demande (contrat, délibération, fiche de poste, plan de financement).",
        "avec la demande.",
        (Item("la nature de la pièce et la date du dépôt", ("kind", "created_at")),),
        links=("id", "request_id", "file_id"),
    ),
    Record(
        "cofunding_message",
        "Messages des demandes de cofinancement",
        frozenset({EMPLOYER, STAFF}),
        "les échanges entre la collectivité et les instructeurs.",
        "avec la demande.",
        (
            Item("le texte du message et sa date", ("body", "created_at")),
            Item("qui l'a écrit", ("author_side", "author_id")),
        ),
        links=("id", "request_id"),
    ),
    # --- Agents of the préfectures, the ANAH and the ANCT ------------------------------------
    Record(
        "user_department",
        "Départements des agents",
        frozenset({STAFF}),
        "limiter l'accès de chaque agent aux dossiers de ses départements.",
        "tant que l'agent exerce ces fonctions.",
        (Item("les départements de compétence de l'agent", ("department_code",)),),
        links=("user_id",),
    ),
    Record(
        "instruction_note",
        "Notes d'instruction",
        frozenset({STAFF}),
        "les notes privées des instructeurs, que la collectivité ne voit jamais.",
        "avec la demande.",
        (Item("le texte de la note, son auteur et sa date", ("body", "author_id", "created_at")),),
        links=("id", "request_id"),
    ),
    Record(
        "anah_opinion",
        "Avis de l'ANAH",
        frozenset({STAFF}),
        "l'avis de l'ANAH sur la part qu'elle finance.",
        "avec la demande.",
        (
            Item(
                "l'avis, le montant, le commentaire, son auteur et sa date",
                ("favourable", "amount", "comment", "author_id", "created_at"),
            ),
        ),
        links=("id", "request_id"),
    ),
)

# How the public page groups the records: (heading, tables).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Candidats",
        (
            "candidate_profile",
            "application",
            "application_message",
            "saved_search",
            "alerted_offer",
            "favourite",
        ),
    ),
    (
        "Tous les utilisateurs",
        (
            "user_account",
            "user_session",
            "stored_file",
            "outgoing_email",
            "audit_event",
            "rate_limit_counter",
        ),
    ),
    (
        "Membres des collectivités",
        (
            "membership",
            "invitation",
            "organisation",
            "offer",
            "cofunding_request",
            "cofunding_attachment",
            "cofunding_message",
        ),
    ),
    (
        "Agents des préfectures, de l'ANAH et de l'ANCT",
        ("user_department", "instruction_note", "anah_opinion"),
    ),
    ("Statistiques du programme", ("recruit",)),
)

# Tables that hold nothing about a person: the referential, offer and organisation
# links, funding rules and plans, search index tasks, background tasks (a kind and
# an offer's number; their error texts name no one).
NOT_PERSONAL = frozenset(
    {
        "region",
        "department",
        "commune",
        "grouping",
        "grouping_member",
        "offer_town",
        "organisation_town",
        "funding_rule",
        "funding_plan",
        "index_task",
        "background_task",
        # The PostgreSQL search backend's copy of the published offers' public text
        # (no contact person), their words, and a version number.
        "search_document",
        "search_word",
        "search_word_form",
        "search_state",
    }
)

COOKIES = (
    Cookie(
        "session",
        "votre connexion et la protection des formulaires contre les envois frauduleux ; "
        "il porte un jeton aléatoire dont seule l'empreinte est conservée (voir «\u00a0Sessions "
        "de connexion\u00a0»)",
        "jusqu'à la fin de la session ({absolute} au plus ; {staff_absolute} pour les agents)",
    ),
    Cookie(
        "pvd_appareil",
        "reconnaître un navigateur qui s'est déjà connecté à votre compte, pour qu'une "
        "personne qui essaie de deviner votre mot de passe ailleurs ne vous bloque jamais "
        "dans votre propre navigateur ; il est signé et ne contient que le numéro de votre "
        "compte et un identifiant aléatoire du navigateur",
        f"{DEVICE_LIFETIME.days}\u00a0jours",
    ),
)


def retention_text(days: int) -> str:
    """The retention period as people say it: "2 ans", or a number of days."""
    if days % 365 == 0:
        years = days // 365
        return f"{years}\u00a0an{'s' if years > 1 else ''}"
    return f"{days}\u00a0jours"


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes}\u00a0minutes"
    hours = minutes // 60
    return f"{hours}\u00a0heure{'s' if hours > 1 else ''}"


def periods(config: Mapping[str, Any], retention: str) -> dict[str, str]:
    """The configured periods, as the retention texts name them."""
    return {
        "retention": retention,
        "idle": _duration(config["SESSION_IDLE_MINUTES"]),
        "absolute": _duration(config["SESSION_ABSOLUTE_HOURS"] * 60),
        "staff_idle": _duration(config["STAFF_SESSION_IDLE_MINUTES"]),
        "staff_absolute": _duration(config["STAFF_SESSION_ABSOLUTE_HOURS"] * 60),
    }


def records(config: Mapping[str, Any], retention: str, audience: str | None = None) -> list[Record]:
    """The records to show (all, or those about `audience`), retention periods filled in,
    in the order of SECTIONS."""
    values = periods(config, retention)
    by_table = {record.table: record for record in RECORDS}
    return [
        replace(by_table[table], retention=by_table[table].retention.format(**values))
        for _heading, tables in SECTIONS
        for table in tables
        if audience is None or audience in by_table[table].audiences
    ]


def sections(config: Mapping[str, Any], retention: str) -> list[tuple[str, list[Record]]]:
    """The records grouped as the public page shows them."""
    shown = {record.table: record for record in records(config, retention)}
    return [(heading, [shown[table] for table in tables]) for heading, tables in SECTIONS]


def cookies(config: Mapping[str, Any]) -> list[Cookie]:
    values = periods(config, "")
    return [replace(cookie, lifetime=cookie.lifetime.format(**values)) for cookie in COOKIES]
