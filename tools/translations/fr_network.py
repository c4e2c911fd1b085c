# ruff: noqa: E501 (one sentence and its translation per line)
"""French for the network block's strings (registry, gateway, operator pages, join page)."""

TRANSLATIONS = {
    "A domain, city or country is a short code, like retail or std:castries.": "Un domaine, une ville ou un pays est un code court, comme retail ou std:castries.",
    "A key must stay valid for some time after it starts.": "Une clé doit rester valable un certain temps après son début.",
    "A participant with this subscriber id is already in the registry.": "Un participant avec cet identifiant d'abonné figure déjà au registre.",
    "A revoked subscriber stays revoked; subscribe again under a new subscriber id.": "Un abonné révoqué le reste ; abonnez-vous de nouveau sous un nouvel identifiant.",
    "A subscriber id is a domain name, like shop.example.org.": "Un identifiant d'abonné est un nom de domaine, comme boutique.example.org.",
    "A type, an address, a domain or a key is not acceptable.": "Un type, une adresse, un domaine ou une clé n'est pas acceptable.",
    "A unique key id is letters, digits, dots, dashes or colons.": "Un identifiant de clé est fait de lettres, chiffres, points, tirets ou deux-points.",
    "Action": "Action",
    "Address": "Adresse",
    "Any buyer app or seller platform can join. The network speaks Beckn version 2.0: every "
    "message is signed with Ed25519 over a BLAKE2b-512 digest of its body, and checked against "
    "the sender's key in the registry.": "Toute application d'achat ou plateforme de vente peut rejoindre le réseau. Il parle "
    "Beckn version 2.0 : chaque message est signé en Ed25519 sur une empreinte BLAKE2b-512 "
    "de son corps, et vérifié avec la clé de l'expéditeur inscrite au registre.",
    "Approve": "Approuver",
    "Back to the network": "Retour au réseau",
    "Buyer apps, seller platforms and gateways registered with this network, with their keys "
    "and status. A participant can sign messages only once you approve it.": "Applications d'achat, plateformes de vente et passerelles inscrites à ce réseau, avec "
    "leurs clés et leur statut. Un participant ne peut signer de messages qu'une fois "
    "approuvé.",
    "Buyer apps, seller platforms and gateways: their keys, approval and revocation.": "Applications d'achat, plateformes de vente et passerelles : leurs clés, approbation et "
    "révocation.",
    "Commerce network": "Réseau de commerce",
    "Domain": "Domaine",
    "Gateway": "Passerelle",
    "How a buyer app or seller platform joins the Beckn network and its gateway.": "Comment une application d'achat ou une plateforme de vente rejoint le réseau Beckn et "
    "sa passerelle.",
    "How participants join": "Comment rejoindre le réseau",
    "In use": "En service",
    "Its key id": "Son identifiant de clé",
    "Its signing public key": "Sa clé publique de signature",
    "Join the commerce network": "Rejoindre le réseau de commerce",
    "Key id": "Identifiant de clé",
    "Keys": "Clés",
    "Make an Ed25519 signing key pair and an X25519 encryption key pair.": "Créez une paire de clés de signature Ed25519 et une paire de clés de chiffrement X25519.",
    "No participant with this subscriber id is in the registry.": "Aucun participant avec cet identifiant d'abonné ne figure au registre.",
    "No participant yet. Add one with `comptoir network subscriber add`, or let it subscribe "
    "through the registry.": "Aucun participant pour l'instant. Ajoutez-en un avec `comptoir network subscriber add`, "
    "ou laissez-le s'abonner par le registre.",
    "No such key": "Clé inconnue",
    "No such subscriber": "Abonné inconnu",
    "Participants": "Participants",
    "Place": "Lieu",
    "Proven": "Prouvée",
    "Registry": "Registre",
    "Revoke": "Révoquer",
    "Revoke key %(key)s": "Révoquer la clé %(key)s",
    "Send a signed subscribe to the registry with your subscriber id, type, address, domain, "
    "place and public keys.": "Envoyez au registre un subscribe signé avec votre identifiant d'abonné, votre type, "
    "votre adresse, votre domaine, votre lieu et vos clés publiques.",
    "Serve on_subscribe at your address: the registry sends a challenge sealed to your "
    "encryption key, and you answer it in clear.": "Servez on_subscribe à votre adresse : le registre envoie un défi scellé pour votre clé "
    "de chiffrement, et vous y répondez en clair.",
    "Signing public key": "Clé publique de signature",
    "Status": "Statut",
    "Subscriber": "Abonné",
    "The address must be an http or https URL.": "L'adresse doit être une URL http ou https.",
    "The encryption public key must be an X25519 key in base64.": "La clé publique de chiffrement doit être une clé X25519 en base64.",
    "The gateway's subscriber id": "L'identifiant d'abonné de la passerelle",
    "The key {key} is already registered.": "La clé {key} est déjà inscrite.",
    "The operator approves you; from then on, lookup lists you and your messages are accepted.": "L'opérateur vous approuve ; dès lors, lookup vous liste et vos messages sont acceptés.",
    "The signing public key must be an Ed25519 key in base64.": "La clé publique de signature doit être une clé Ed25519 en base64.",
    "The subscriber has no key with this unique key id.": "L'abonné n'a pas de clé avec cet identifiant.",
    "The subscriber already has a key with this unique key id, with other public keys.": "L'abonné a déjà une clé avec cet identifiant, avec d'autres clés publiques.",
    "The subscriber cannot change to this status": "L'abonné ne peut pas passer à ce statut",
    "The subscriber's details are not valid": "Les informations de l'abonné ne sont pas valables",
    "The type must be BAP, BPP or BG.": "Le type doit être BAP, BPP ou BG.",
    "This key id is already registered": "Cet identifiant de clé est déjà inscrit",
    "This subscriber is already registered": "Cet abonné est déjà inscrit",
    "Type": "Type",
    "Valid from (UTC)": "Valable à partir de (UTC)",
    "Valid until (UTC)": "Valable jusqu'à (UTC)",
    "every city": "toutes les villes",
    "every country": "tous les pays",
    "no": "non",
    "revoked": "révoquée",
    "yes": "oui",
    "{id} has no key {key}.": "{id} n'a pas de clé {key}.",
    "{id} is already registered.": "{id} est déjà inscrit.",
    "{id} is not in the registry.": "{id} ne figure pas au registre.",
    "{id} is registered as a {type}.": "{id} est inscrit comme {type}.",
    "{id} is revoked and cannot be approved.": "{id} est révoqué et ne peut pas être approuvé.",
    "{id} is revoked.": "{id} est révoqué.",
}
