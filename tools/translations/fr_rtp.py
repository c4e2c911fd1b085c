"""French for the wallet's merchant API and the seller's wallet payments (request to pay)."""

TRANSLATIONS = {
    # The wallet's merchant API
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
        "La référence {reference} a déjà servi pour une autre demande."
    ),
    "This institution only takes {currency}.": "Cet établissement n'accepte que {currency}.",
    # The merchant's wallet page
    "Merchant API": "API marchand",
    "Get paid from your shop's software": "Être payé depuis le logiciel de votre boutique",
    "Your online shop or till can send requests to pay through this wallet with an API key, "
    "and is told when each one is paid, declined or expired.": (
        "Votre boutique en ligne ou votre caisse peut envoyer des demandes de paiement par ce "
        "portefeuille avec une clé d'API, et elle est prévenue quand chacune est payée, "
        "refusée ou expirée."
    ),
    "API address": "Adresse de l'API",
    "Your new API key": "Votre nouvelle clé d'API",
    "Copy both now: they are shown only once.": (
        "Copiez-les maintenant : elles ne sont affichées qu'une fois."
    ),
    "API key": "Clé d'API",
    "Webhook secret": "Secret du webhook",
    "Create an API key": "Créer une clé d'API",
    # The seller platform
    "Get paid by wallet": "Être payé par portefeuille",
    "Link your shop to your wallet: when a buyer chooses to pay with their wallet, your wallet "
    "asks them to approve the payment, and the order is marked paid as soon as they do.": (
        "Reliez votre boutique à votre portefeuille : quand un acheteur choisit de payer avec "
        "son portefeuille, votre portefeuille lui demande d'approuver le paiement, et la "
        "commande est marquée payée dès qu'il le fait."
    ),
    "Your shop is linked to %(url)s.": "Votre boutique est reliée à %(url)s.",
    "Your wallet's merchant API address": "L'adresse de l'API marchand de votre portefeuille",
    "For example https://bank.example/wallets/bank/api/v1. Your wallet shows it with your API "
    "key.": (
        "Par exemple https://bank.example/wallets/bank/api/v1. Votre portefeuille l'affiche "
        "avec votre clé d'API."
    ),
    "Enter the web address of your wallet's merchant API.": (
        "Saisissez l'adresse web de l'API marchand de votre portefeuille."
    ),
    "Enter the API key and the webhook secret your wallet gave.": (
        "Saisissez la clé d'API et le secret du webhook donnés par votre portefeuille."
    ),
    "The webhook's signature is not valid.": "La signature du webhook n'est pas valide.",
    "Paid by wallet": "Payé par portefeuille",
    "Not paid: the buyer's wallet did not pay the request (%(status)s).": (
        "Non payé : le portefeuille de l'acheteur n'a pas payé la demande (%(status)s)."
    ),
    "Waiting for the buyer's approval in their wallet": (
        "En attente de l'approbation de l'acheteur dans son portefeuille"
    ),
    # The buyer app
    "Paid with your wallet.": "Payé avec votre portefeuille.",
    "The request to pay in your wallet was declined or did not go through: this order is not "
    "paid. You can pay in cash on delivery instead.": (
        "La demande de paiement dans votre portefeuille a été refusée ou n'a pas abouti : "
        "cette commande n'est pas payée. Vous pouvez payer en espèces à la livraison."
    ),
    "Waiting for your approval in your wallet: open your wallet and approve the request to pay "
    "%(amount)s.": (
        "En attente de votre approbation dans votre portefeuille : ouvrez votre portefeuille "
        "et approuvez la demande de paiement de %(amount)s."
    ),
    "Pay in cash on delivery instead": "Payer plutôt en espèces à la livraison",
    "This order cannot be paid on delivery now.": (
        "Cette commande ne peut pas être payée à la livraison maintenant."
    ),
}
