"""French for the wallet's merchant API and the seller's wallet payments."""

TRANSLATIONS = {
    "The request to pay was refused": "La demande de paiement a été refusée",
    "The payer, the amount or the currency cannot be used for a request to pay.": (
        "Le payeur, le montant ou la devise ne peuvent pas servir à une demande de paiement."
    ),
    "Send a valid API key of this institution as a Bearer token.": (
        "Envoyez une clé d'API valide de cet établissement comme jeton Bearer."
    ),
    "There is no such request to pay.": "Cette demande de paiement n'existe pas.",
    "No customer has the alias {alias}.": "Aucun client n'a l'alias {alias}.",
    "Only merchant accounts can have an API key.": (
        "Seuls les comptes marchands peuvent avoir une clé d'API."
    ),
    "The reference {reference} was used for another request.": (
        "La référence {reference} a servi pour une autre demande."
    ),
    "This institution only takes {currency}.": "Cet établissement n'accepte que {currency}.",
}
