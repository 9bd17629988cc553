"""French error pages (HTML) and JSON errors (API), one handler for each."""

from __future__ import annotations

import math

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from recrutement.core.ratelimit import RateLimitExceeded
from recrutement.extensions import db

ERROR_TEXTS = {
    400: (
        "Requête invalide",
        "La demande envoyée n'a pas pu être comprise. Vérifiez votre saisie et réessayez.",
    ),
    401: ("Connexion requise", "Vous devez vous connecter pour accéder à cette ressource."),
    403: (
        "Accès refusé",
        "Votre compte ne permet pas d'accéder à cette page. Si vous pensez qu'il s'agit d'une erreur, contactez votre administrateur.",
    ),
    404: (
        "Page non trouvée",
        "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée. Si vous avez tapé l'adresse dans le navigateur, vérifiez qu'elle est correcte.",
    ),
    405: ("Méthode non autorisée", "Cette action n'est pas possible à cette adresse."),
    413: (
        "Fichier trop volumineux",
        "Le fichier envoyé dépasse la taille maximale autorisée (5 Mo). Réduisez sa taille puis réessayez.",
    ),
    414: (
        "Adresse trop longue",
        "L'adresse demandée est trop longue pour être traitée. Raccourcissez votre recherche et réessayez.",
    ),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de tentatives en peu de temps. Par sécurité, cette action est suspendue un moment.",
    ),
    500: (
        "Erreur inattendue",
        "Désolé, le service rencontre un problème. Nous y travaillons ; réessayez dans quelques minutes.",
    ),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(
    code: int, message: str | None = None, retry_after_seconds: int | None = None
) -> tuple[Response | str, int] | tuple[Response | str, int, dict[str, str]]:
    """The response for an error `code`, HTML or JSON depending on the path."""
    title, default_message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    message = message or default_message
    response: Response | str
    if _wants_json():
        body = {"erreur": title, "message": message}
        response = jsonify(body)
    else:
        minutes = math.ceil(retry_after_seconds / 60) if retry_after_seconds else None
        response = render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message,
            retry_after_minutes=minutes,
        )
    if retry_after_seconds:
        return response, code, {"Retry-After": str(retry_after_seconds)}
    return response, code


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Le formulaire a expiré ou n'est pas valide (jeton de sécurité manquant). "
            "Rechargez la page et envoyez-le de nouveau.",
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        return render_error(429, retry_after_seconds=error.retry_after_seconds)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        message = getattr(error, "french_message", None)
        response = make_response(render_error(error.code, message))
        # Keep what the exception says about itself (the Allow of a 405, a
        # WWW-Authenticate…), but not its own Content-Type: the body is ours.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        # A database failure (a connection the server killed, a failed commit) leaves
        # the session's transaction unusable: the error page, which reads the signed-in
        # user, would fail in turn and the session would be left broken for the next
        # request. Rolling back drops the dead connection; the pool hands a fresh one.
        db.session.rollback()
        return render_error(InternalServerError.code)
