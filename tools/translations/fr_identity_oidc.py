"""French for the OpenID provider's pages: consent, "who used my data", logout, relying parties."""

TRANSLATIONS = {
    "%(name)s asks for your information": "%(name)s demande vos informations",
    "An identifier for you, different at every service": (
        "Un identifiant pour vous, différent pour chaque service"
    ),
    "Back to the home page": "Retour à l'accueil",
    "Consent revoked. That service gets nothing more from you.": (
        "Consentement retiré. Ce service ne reçoit plus rien de vous."
    ),
    "Direct request": "Demande directe",
    "Every service that received your information, when, and what it received.": (
        "Chaque service qui a reçu vos informations, quand, et ce qu'il a reçu."
    ),
    "Every time a service received information about you, newest first.": (
        "Chaque fois qu'un service a reçu des informations sur vous, les plus récentes d'abord."
    ),
    "For its developers": "Pour ses développeurs",
    "Given on %(date)s (version %(version)s)": "Donné le %(date)s (version %(version)s)",
    "How": "Comment",
    "Information sent to services": "Informations envoyées aux services",
    "Its public keys (a JWKS with ES256 keys)": "Ses clés publiques (un JWKS de clés ES256)",
    "Log out": "Se déconnecter",
    "Log out of Comptoir?": "Se déconnecter de Comptoir ?",
    "My consents": "Mes consentements",
    "Name": "Nom",
    "Name shown to people": "Nom affiché aux personnes",
    "No relying party is registered yet.": "Aucun service utilisateur n'est encore enregistré.",
    "No service has received information about you yet.": (
        "Aucun service n'a encore reçu d'informations sur vous."
    ),
    "Post-logout redirect URIs, one per line (optional)": (
        "URI de retour après déconnexion, une par ligne (facultatif)"
    ),
    "Purpose": "Finalité",
    "Redirect URIs": "URI de redirection",
    "Redirect URIs, one per line": "URI de redirection, une par ligne",
    "Refuse": "Refuser",
    "Register": "Enregistrer",
    "Register a relying party": "Enregistrer un service utilisateur",
    "Registered relying parties": "Services utilisateurs enregistrés",
    "Relying parties": "Services utilisateurs",
    "Revoke my consent to %(name)s": "Retirer mon consentement à %(name)s",
    "Revoked on %(date)s": "Retiré le %(date)s",
    "Scopes": "Portées",
    "See who used my data": "Voir qui a utilisé mes données",
    "Services that may sign people in with their national identity, and what each may ask for.": (
        "Les services qui peuvent connecter les personnes avec leur identité nationale, et ce "
        "que chacun peut demander."
    ),
    "Services that sign people in with their national identity, and their scopes.": (
        "Les services qui connectent les personnes avec leur identité nationale, et leurs portées."
    ),
    "Share and continue": "Partager et continuer",
    "Share your information?": "Partager vos informations ?",
    "Shared": "Partagé",
    "Sign-in token": "Jeton de connexion",
    "The JWKS is not a JSON object.": "Le JWKS n'est pas un objet JSON.",
    "The service that sent you here made a request we cannot accept, or it has expired. Go "
    "back to that service and start again.": (
        "Le service qui vous a envoyé ici a fait une demande que nous ne pouvons pas accepter, "
        "ou elle a expiré. Retournez sur ce service et recommencez."
    ),
    "The services you allowed to receive your information. Revoking stops them at once; they "
    "will have to ask you again.": (
        "Les services que vous avez autorisés à recevoir vos informations. Retirer votre "
        "consentement les arrête aussitôt ; ils devront vous redemander."
    ),
    "This relying party cannot be registered: {reason}.": (
        "Ce service utilisateur ne peut pas être enregistré : {reason}."
    ),
    "This sign-in request cannot go on": "Cette demande de connexion ne peut pas continuer",
    "Untick what you do not want to share. Items marked as needed cannot be left out; refuse "
    "instead if you do not agree.": (
        "Décochez ce que vous ne voulez pas partager. Les éléments marqués comme nécessaires "
        "ne peuvent pas être retirés ; refusez si vous n'êtes pas d'accord."
    ),
    "What": "Quoi",
    "What %(name)s will receive": "Ce que %(name)s recevra",
    "What it may ask for": "Ce qu'il peut demander",
    "What you allowed each service to receive; revoke it at any time.": (
        "Ce que vous avez permis à chaque service de recevoir ; retirez-le à tout moment."
    ),
    "When": "Quand",
    "Whether your phone number is verified": "Si votre numéro de téléphone est vérifié",
    "Who": "Qui",
    "Who used my data": "Qui a utilisé mes données",
    "Why": "Pourquoi",
    "Why it asks for information (shown on the consent screen)": (
        "Pourquoi il demande des informations (affiché sur l'écran de consentement)"
    ),
    "You can see what you agreed to, and revoke it, at any time on your consents page.": (
        "Vous pouvez voir ce que vous avez accepté, et le retirer, à tout moment sur votre page "
        "de consentements."
    ),
    "You have not allowed any service to receive your information.": (
        "Vous n'avez autorisé aucun service à recevoir vos informations."
    ),
    "You logged out of %(name)s. You can also log out here, so that nobody using this device "
    "can sign in as you.": (
        "Vous vous êtes déconnecté de %(name)s. Vous pouvez aussi vous déconnecter ici, pour "
        "que personne utilisant cet appareil ne puisse se connecter à votre place."
    ),
    "Your date of birth": "Votre date de naissance",
    "Your name": "Votre nom",
    "Your phone number": "Votre numéro de téléphone",
    "Your preferred language": "Votre langue préférée",
    "needed": "nécessaire",
    "{name} is registered. Its client_id is {client_id}.": (
        "{name} est enregistré. Son client_id est {client_id}."
    ),
}
