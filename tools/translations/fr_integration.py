# ruff: noqa: E501 (msgids are whole sentences, kept on one line to match the catalogue)
"""French for the apps' sign-in with Comptoir ID, the verified-business mark and age checks."""

TRANSLATIONS = {
    "Sign in with Comptoir ID": "Se connecter avec Comptoir ID",
    "Or sign in with a one-time code": "Ou se connecter avec un code à usage unique",
    "Signing in with Comptoir ID is not set up here yet. Use a one-time code.": "La connexion avec Comptoir ID n'est pas encore en place ici. Utilisez un code à usage unique.",
    "Comptoir ID cannot be reached right now. Try again, or use a one-time code.": "Comptoir ID ne répond pas pour le moment. Réessayez, ou utilisez un code à usage unique.",
    "This sign-in has expired or was not started here. Please start again.": "Cette connexion a expiré ou n'a pas été commencée ici. Veuillez recommencer.",
    "You did not agree to share your phone number, so you are not signed in.": "Vous n'avez pas accepté de partager votre numéro de téléphone : vous n'êtes pas connecté.",
    "Comptoir ID's answer could not be trusted. You are not signed in.": "La réponse de Comptoir ID n'est pas digne de confiance. Vous n'êtes pas connecté.",
    "The identity provider did not tell us your phone number, so we cannot find your account.": "Le fournisseur d'identité ne nous a pas donné votre numéro de téléphone : nous ne pouvons pas trouver votre compte.",
    "You have no account at {institution} under the phone number your Comptoir ID gives ({phone}). Ask the institution to open one.": "Vous n'avez pas de compte chez {institution} au numéro de téléphone de votre Comptoir ID ({phone}). Demandez à l'établissement d'en ouvrir un.",
    "The identity provider did not tell us your phone number, so we cannot find your shop.": "Le fournisseur d'identité ne nous a pas donné votre numéro de téléphone : nous ne pouvons pas trouver votre boutique.",
    "No shop on {platform} belongs to the phone number your Comptoir ID gives ({phone}). Ask the platform to add your shop.": "Aucune boutique sur {platform} n'appartient au numéro de téléphone de votre Comptoir ID ({phone}). Demandez à la plateforme d'ajouter votre boutique.",
    "This presentation was not made for the challenge shown here. Make a new one with the audience and challenge on this page.": "Cette présentation n'a pas été faite pour le défi affiché ici. Faites-en une nouvelle avec l'audience et le défi de cette page.",
    "This credential is for another business than your shop.": "Cette attestation concerne une autre entreprise que votre boutique.",
    "The registry has revoked this credential.": "Le registre a révoqué cette attestation.",
    "The registry cannot be reached to check the credential. Try again later.": "Le registre ne répond pas pour vérifier l'attestation. Réessayez plus tard.",
    "This credential could not be verified: it is not a valid registered-business credential from the registry.": "Cette attestation n'a pas pu être vérifiée : ce n'est pas une attestation d'entreprise enregistrée valide du registre.",
    "Your business shows the verified mark.": "Votre entreprise affiche la marque « vérifiée ».",
    "In your wallet, present the credential with the business name disclosed, for this audience and challenge (valid 15 minutes):": "Dans votre portefeuille, présentez l'attestation en dévoilant le nom de l'entreprise, pour cette audience et ce défi (valables 15 minutes) :",
    "Audience": "Audience",
    "Challenge (nonce)": "Défi (nonce)",
}
