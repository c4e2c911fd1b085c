"""The product lines of the demo's businesses: a name and description in the business's
language, the price of the first size, and the sizes or kinds offered, each with its price."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Product:
    name: str
    description: str
    price: int  # minor units (XCD cents), for the first size
    # Each size or kind with its price in tenths of the first one's: a dozen mangoes cost
    # a little less than twelve, a shirt costs the same in every size.
    sizes: tuple[tuple[str, int], ...] = ()
    returnable: bool = True
    age_restricted: bool = False


# A bigger weight or jar costs a little less per gram.
WEIGHTS: Final = (("250 g", 10), ("500 g", 18), ("1 kg", 34))
SMALL_JARS: Final = (("small jar", 10), ("large jar", 18))
POTS: Final = (("petit pot", 10), ("grand pot", 18))
# Clothes cost the same in every size.
SIZES: Final = (("S", 10), ("M", 10), ("L", 10), ("XL", 10))
TAILLES: Final = SIZES

PRODUCE: Final = (
    Product("Breadfruit", "Picked this morning in the hills above the farm.", 600),
    Product("Green figs (bananas)", "Green bananas for boiling, a hand at a time.", 450),
    Product("Dasheen", "Taro root, firm and fresh, for soups and provisions.", 500, WEIGHTS),
    Product("Christophene", "Chayote squash, mild and crisp.", 300, WEIGHTS),
    Product("Sweet potatoes", "Red-skinned, sweet yellow flesh.", 400, WEIGHTS),
    Product("Yams", "White yam from the farm, dug to order.", 550, WEIGHTS),
    Product("Plantains", "Ripe plantains for frying.", 350, (("3 pieces", 10), ("6 pieces", 19))),
    Product(
        "Limes",
        "Juicy limes for drinks and marinades.",
        250,
        (("bag of 10", 10), ("bag of 25", 23)),
    ),
    Product(
        "Mangoes (Julie)",
        "Julie mangoes, sweet and fibre-free.",
        200,
        (("each", 10), ("dozen", 108)),
    ),
    Product(
        "Avocados", "Large local avocados, ripe in two days.", 400, (("each", 10), ("bag of 4", 37))
    ),
    Product("Soursop", "Creamy soursop for juice and ice cream.", 900),
    Product(
        "Passion fruit",
        "Golden passion fruit for juice.",
        300,
        (("bag of 6", 10), ("bag of 12", 19)),
    ),
    Product("Pumpkin", "Caribbean pumpkin, sold by the piece.", 700, WEIGHTS),
    Product("Callaloo bunch", "Fresh callaloo leaves for soup.", 350),
    Product(
        "Coconuts (water)",
        "Young green coconuts, full of water.",
        300,
        (("each", 10), ("bag of 5", 46)),
    ),
)
SPICES: Final = (
    Product("Nutmeg, whole", "Grenada-style whole nutmegs, dried in the shade.", 800, WEIGHTS),
    Product("Cinnamon sticks", "Sun-dried cinnamon bark from the estate.", 700, WEIGHTS),
    Product(
        "Cocoa sticks",
        "Pure cocoa rolled by hand, for cocoa tea.",
        600,
        (("2 sticks", 10), ("6 sticks", 28)),
    ),
    Product("Bay leaf", "Dried West Indian bay leaves.", 400, WEIGHTS),
    Product("Hot pepper sauce", "Scotch bonnet sauce with papaya and mustard.", 1200, SMALL_JARS),
    Product("Green seasoning", "Chive, thyme, celery and garlic, blended fresh.", 1000, SMALL_JARS),
    Product("Cloves", "Whole cloves, strong and sweet.", 900, WEIGHTS),
    Product("Turmeric powder", "Ground from our own roots.", 750, WEIGHTS),
    Product("Guava jam", "Slow-cooked guava jam.", 1100, SMALL_JARS),
    Product("Sea moss, dried", "Sun-bleached sea moss from the south coast.", 1500, WEIGHTS),
    Product("Cocoa nibs", "Roasted nibs from fine-flavour cocoa.", 1400, WEIGHTS),
    Product(
        "Vanilla pods",
        "Bourbon vanilla cured for six months.",
        1800,
        (("3 pods", 10), ("10 pods", 31)),
    ),
    Product(
        "Spiced rum",
        "Estate rum steeped with nutmeg, cinnamon and vanilla. Sold to adults only.",
        4500,
        (("70 cl", 10),),
        returnable=False,
        age_restricted=True,
    ),
)
EPICES: Final = (
    Product(
        "Colombo en poudre", "Mélange d'épices pour le colombo, moulu chaque semaine.", 900, WEIGHTS
    ),
    Product("Piment végétarien", "Petits piments doux et parfumés.", 500, WEIGHTS),
    Product("Sauce chien", "Sauce aux herbes, citron vert et piment.", 1000, POTS),
    Product("Confiture de goyave", "Confiture de goyave cuite au chaudron.", 1100, POTS),
    Product("Bois d'Inde", "Feuilles de bois d'Inde séchées.", 450, WEIGHTS),
    Product("Cannelle en bâtons", "Cannelle séchée au soleil.", 700, WEIGHTS),
    Product("Muscade entière", "Noix de muscade sèches.", 800, WEIGHTS),
    Product("Rhum arrangé (sans alcool)", "Sirop d'épices et de fruits pour le punch.", 1600, POTS),
    Product(
        "Chocolat pays",
        "Bâtons de cacao pur pour le chocolat chaud.",
        650,
        (("2 bâtons", 10), ("6 bâtons", 28)),
    ),
    Product("Sirop de batterie", "Sirop de canne épais, à l'ancienne.", 1300, POTS),
)
CRAFTS: Final = (
    Product(
        "Woven basket",
        "Latanier palm basket woven by hand.",
        4500,
        (("small", 10), ("medium", 14), ("large", 18)),
    ),
    Product(
        "Calabash bowl",
        "Carved calabash bowl, food-safe finish.",
        3000,
        (("small", 10), ("large", 16)),
    ),
    Product("Madras doll", "Doll in Madras cloth, sewn by hand.", 3500),
    Product(
        "Coconut shell earrings", "Polished coconut shell, silver hooks.", 2500, returnable=False
    ),
    Product("Clay coal pot", "Traditional clay coal pot for outdoor cooking.", 6000),
    Product("Carved mahogany turtle", "Small turtle carved from offcuts.", 5500),
    Product("Seed bead necklace", "Necklace of local seeds and beads.", 2800, returnable=False),
    Product(
        "Batik wall hanging",
        "Hand-dyed batik with island motifs.",
        9000,
        (("60 cm", 10), ("90 cm", 18)),
    ),
    Product("Straw hat", "Wide-brimmed hat of woven straw.", 4000, SIZES),
    Product(
        "Pottery mug",
        "Glazed stoneware mug from our kiln.",
        2200,
        (("blue", 10), ("green", 10), ("sand", 10)),
    ),
)
ARTISANAT: Final = (
    Product(
        "Panier en bakoua",
        "Panier tressé en feuilles de bakoua.",
        4800,
        (("petit", 10), ("moyen", 14), ("grand", 18)),
    ),
    Product("Poupée en madras", "Poupée cousue main en tissu madras.", 3600),
    Product("Bijoux en graines", "Collier en graines de la forêt.", 2900, returnable=False),
    Product(
        "Bol en calebasse", "Calebasse sculptée et vernie.", 3100, (("petit", 10), ("grand", 16))
    ),
    Product("Tableau en bois peint", "Scène de marché peinte sur bois.", 8500),
    Product("Bakoua (chapeau)", "Chapeau traditionnel tressé.", 5200, TAILLES),
    Product(
        "Savon artisanal",
        "Savon au lait de coco et vétiver.",
        1200,
        (("1 pain", 10), ("3 pains", 28)),
    ),
)
CLOTHING: Final = (
    Product("Madras head wrap", "Cotton Madras head tie, hemmed by hand.", 3500),
    Product("Linen shirt", "Loose linen shirt, cut and sewn in Castries.", 12000, SIZES),
    Product("Cotton sundress", "Light cotton dress, hand-printed.", 11000, SIZES),
    Product("Batik sarong", "Hand-dyed batik sarong.", 6500),
    Product(
        "Kids' Madras shorts",
        "Madras shorts for children.",
        4500,
        (("2-4 years", 10), ("5-7 years", 11), ("8-10 years", 12)),
    ),
    Product(
        "Leather sandals",
        "Sandals stitched by a local cobbler.",
        9500,
        (("38", 10), ("40", 10), ("42", 10), ("44", 10)),
    ),
)
VETEMENTS: Final = (
    Product("Robe en madras", "Robe en madras cousue à la main.", 13500, TAILLES),
    Product("Chemise en lin", "Chemise légère en lin.", 11500, TAILLES),
    Product("Foulard en madras", "Foulard de tête en madras.", 3200),
    Product("Tee-shirt imprimé", "Coton bio, impression locale.", 4500, TAILLES),
    Product("Paréo", "Paréo teint à la main.", 6000),
)
TOURISM: Final = (
    Product(
        "Rainforest hike with a guide",
        "Half-day guided hike to the waterfall, water included.",
        15000,
        (("1 person", 10), ("2 people", 18)),
        False,
    ),
    Product(
        "Sulphur springs mud bath",
        "Entry and a guide at the volcanic springs.",
        6000,
        (("1 person", 10), ("2 people", 18)),
        False,
    ),
    Product(
        "Snorkelling trip",
        "Two hours on the reef, gear included.",
        12000,
        (("1 person", 10), ("2 people", 18)),
        False,
    ),
    Product(
        "Cocoa estate tour",
        "Walk the estate, make your own chocolate bar.",
        9000,
        (("1 person", 10), ("family of 4", 34)),
        False,
    ),
    Product(
        "Creole cooking class",
        "Cook and eat a Creole lunch with a local cook.",
        14000,
        (("1 person", 10), ("2 people", 18)),
        False,
    ),
    Product(
        "Airport taxi",
        "Hewanorra or George Charles airport to your hotel.",
        20000,
        (("up to 3 people", 10), ("up to 6 people", 16)),
        False,
    ),
    Product(
        "Fishing trip at dawn",
        "Line fishing with a village fisherman; keep your catch.",
        16000,
        (("1 person", 10), ("2 people", 18)),
        False,
    ),
)
EXCURSIONS: Final = (
    Product(
        "Randonnée en forêt tropicale",
        "Demi-journée guidée jusqu'à la cascade.",
        15000,
        (("1 personne", 10), ("2 personnes", 18)),
        False,
    ),
    Product(
        "Sortie en yole",
        "Découverte de la baie à bord d'une yole ronde.",
        13000,
        (("1 personne", 10), ("2 personnes", 18)),
        False,
    ),
    Product(
        "Visite de distillerie",
        "Visite guidée et dégustation de jus de canne.",
        7000,
        (("1 personne", 10), ("famille de 4", 34)),
        False,
    ),
    Product(
        "Cours de cuisine créole",
        "Préparez et dégustez un repas créole.",
        14000,
        (("1 personne", 10), ("2 personnes", 18)),
        False,
    ),
)
