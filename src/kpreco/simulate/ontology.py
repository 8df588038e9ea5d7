"""The simulated marketplace's world: product types, their attributes and how people write them.

Buyers and sellers use different words for the same thing. Each product type and attribute
value has `query_forms` (what buyers type; the first is the canonical word, the rest are
synonyms and paraphrases a lexical matcher misses: "couch" for a sofa) and `title_forms` (what
sellers write, abbreviations included: "Blk", "Sz 9", "Lthr"). Ground truth is defined on the
keys, never on the words, so "couch" is relevant to a sofa whatever either text says.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Value:
    key: str
    query_forms: tuple[str, ...]
    title_forms: tuple[str, ...]


@dataclass(frozen=True)
class Axis:
    """An attribute kind (`brand`, `colour`, ...) with the values one group of types uses."""

    kind: str
    values: tuple[Value, ...]
    # Probability that a seller mentions this attribute in a title at all.
    rendered: float

    @cached_property
    def values_by_key(self) -> dict[str, Value]:
        return {value.key: value for value in self.values}


@dataclass(frozen=True)
class ProductType:
    key: str
    category: str
    query_forms: tuple[str, ...]
    title_forms: tuple[str, ...]
    axes: tuple[Axis, ...]
    weight: float
    price: tuple[float, float]


def v(key: str, queries: str, titles: str) -> Value:
    """A value from '|'-separated word lists (compact tables below)."""
    return Value(key, tuple(queries.split("|")), tuple(titles.split("|")))


COLOUR = Axis(
    "colour",
    (
        v("black", "black", "Black|BLACK|Blk|black"),
        v("white", "white", "White|WHITE|Wht"),
        v("grey", "grey|gray", "Grey|Gray|Gry|Charcoal Grey"),
        v("navy", "navy|navy blue|dark blue", "Navy|Navy Blue|NAVY"),
        v("red", "red", "Red|RED|Crimson Red"),
        v("blue", "blue", "Blue|BLUE|Royal Blue"),
        v("green", "green", "Green|Olive Green|GRN"),
        v("brown", "brown", "Brown|Brn|Chocolate Brown"),
        v("beige", "beige|cream", "Beige|Cream|Ivory Beige"),
        v("pink", "pink", "Pink|Blush Pink|PINK"),
    ),
    rendered=0.85,
)

AUDIENCE = Axis(
    "audience",
    (
        v("men", "mens|for men|men", "Men's|Mens|MENS|Men"),
        v("women", "womens|for women|ladies", "Women's|Womens|Ladies|WOMENS"),
        v("kids", "kids|for kids|childrens", "Kids|Children's|Youth|Kids'"),
    ),
    rendered=0.85,
)

APPAREL_SIZE = Axis(
    "size",
    (
        v("xs", "xs|extra small", "XS|Size XS|X-Small"),
        v("s", "small|size s", "S|Size S|Small|Sz S"),
        v("m", "medium|size m", "M|Size M|Medium|Sz M|Med"),
        v("l", "large|size l", "L|Size L|Large|Sz L|Lrg"),
        v("xl", "xl|extra large", "XL|Size XL|X-Large|Sz XL"),
    ),
    rendered=0.75,
)

SHOE_SIZE = Axis(
    "size",
    tuple(v(str(n), f"size {n}", f"Size {n}|Sz {n}|US {n}|US{n}") for n in range(6, 13)),
    rendered=0.8,
)

SEATS = Axis(
    "size",
    (
        v("2-seat", "2 seater|loveseat|two seater", "2 Seater|2-Seat|Loveseat|2 Seat"),
        v("3-seat", "3 seater|three seater", "3 Seater|3-Seat|Three Seater"),
        v("corner", "corner|sectional|l shaped", "Corner|L-Shaped|Sectional|Corner Unit"),
    ),
    rendered=0.8,
)

SCREEN = Axis(
    "size",
    tuple(v(f"{n}in", f"{n} inch", f'{n}"|{n} in|{n}-inch|{n} Inch') for n in (13, 14, 15, 17)),
    rendered=0.85,
)


def brands(*names: str) -> Axis:
    values = tuple(v(n.lower().replace(" ", "-"), n.lower(), f"{n}|{n.upper()}") for n in names)
    return Axis("brand", values, rendered=0.9)


def materials(spec: str) -> Axis:
    """'leather=leather|genuine leather:Leather|Lthr;...' -> a material axis."""
    values = []
    for part in spec.split(";"):
        key, _, forms = part.partition("=")
        queries, _, titles = forms.partition(":")
        values.append(v(key, queries, titles))
    return Axis("material", tuple(values), rendered=0.7)


FURNITURE_BRANDS = brands("Norvik", "Hallbrook", "Castello", "Brightwood", "Oakhaven")
FURNITURE_MATERIAL = materials(
    "leather=leather|genuine leather:Leather|Lthr|Genuine Leather;"
    "fabric=fabric|upholstered:Fabric|Upholstered|Linen Look Fabric;"
    "velvet=velvet:Velvet|Crushed Velvet;"
    "wood=wood|wooden|solid wood:Wood|Wooden|Solid Wood;"
    "metal=metal|steel:Metal|Steel|Iron"
)
APPAREL_BRANDS = brands("Nordline", "Urbanix", "Kestrel", "Bluepeak", "Solano", "Vantage")
COTTON = "cotton=cotton|100 cotton:Cotton|100% Cotton|Organic Cotton"
WOOL = "wool=wool|merino:Wool|Merino Wool|Wool Blend"
POLYESTER = "polyester=polyester|poly:Polyester|Poly|Polyester Blend"
LINEN = "linen=linen:Linen|Pure Linen"
FLEECE = "fleece=fleece:Fleece|Polar Fleece"
LEATHER = "leather=leather|genuine leather:Leather|Lthr|Genuine Leather"
SHOE_BRANDS = brands("Stridex", "Kestrel", "Trailon", "Velocita", "Ardent")
SHOE_MATERIAL = materials(
    "leather=leather:Leather|Lthr|Full Grain Leather;"
    "suede=suede:Suede|Suede Leather;"
    "mesh=mesh|breathable mesh:Mesh|Breathable Mesh|Knit Mesh;"
    "canvas=canvas:Canvas"
)
TECH_BRANDS = brands("Voltra", "Sonique", "Zentek", "Auralis", "Pixon")
BAG_BRANDS = brands("Carryall", "Lunden", "Marisol", "Tavira", "Hartley")
BAG_MATERIAL = materials(
    f"{LEATHER};nylon=nylon:Nylon|Ripstop Nylon;canvas=canvas:Canvas|Waxed Canvas"
)
HOME_BRANDS = brands("Homestead", "Lumina", "Cozyly", "Ferro", "Kiln & Co")
CERAMIC = "ceramic=ceramic|stoneware:Ceramic|Stoneware|Porcelain"
GLASS = "glass=glass:Glass|Borosilicate Glass"
STEEL = "metal=metal|steel|stainless steel:Metal|Stainless Steel|Steel"
SPORT_BRANDS = brands("Peakform", "Ridgeline", "Velocita", "Corefit", "Trailon")
BABY_BRANDS = brands("Littlenest", "Cubby", "Bramble", "Snugglo")


def t(
    key: str,
    category: str,
    queries: str,
    titles: str,
    axes: tuple[Axis, ...],
    weight: float,
    price: tuple[float, float],
) -> ProductType:
    return ProductType(
        key, category, tuple(queries.split("|")), tuple(titles.split("|")), axes, weight, price
    )


FURN = (FURNITURE_BRANDS, COLOUR, FURNITURE_MATERIAL)
SHOES = (SHOE_BRANDS, AUDIENCE, COLOUR, SHOE_MATERIAL, SHOE_SIZE)
BAGS = (BAG_BRANDS, COLOUR, BAG_MATERIAL)


def apparel(material_spec: str) -> tuple[Axis, ...]:
    return (APPAREL_BRANDS, AUDIENCE, COLOUR, materials(material_spec), APPAREL_SIZE)


def home(material_spec: str) -> tuple[Axis, ...]:
    return (HOME_BRANDS, COLOUR, materials(material_spec))


PRODUCT_TYPES: tuple[ProductType, ...] = (
    t(
        "sofa",
        "furniture",
        "sofa|couch|settee",
        "Sofa|Couch|Sofa Couch",
        (*FURN, SEATS),
        1.2,
        (250, 2500),
    ),
    t(
        "armchair",
        "furniture",
        "armchair|accent chair|lounge chair",
        "Armchair|Arm Chair|Accent Armchair",
        FURN,
        0.8,
        (90, 900),
    ),
    t(
        "coffee-table",
        "furniture",
        "coffee table|cocktail table",
        "Coffee Table|Coffee Tbl",
        FURN,
        0.7,
        (60, 700),
    ),
    t(
        "bookshelf",
        "furniture",
        "bookshelf|bookcase|book shelves",
        "Bookshelf|Book Shelf|Shelving Unit Bookshelf",
        FURN,
        0.6,
        (40, 500),
    ),
    t(
        "wardrobe",
        "furniture",
        "wardrobe|armoire|clothes closet",
        "Wardrobe|Wardrobe Cabinet",
        FURN,
        0.5,
        (120, 1500),
    ),
    t(
        "t-shirt",
        "apparel",
        "t shirt|tee|tshirt",
        "T-Shirt|T Shirt|Tshirt|Graphic T-Shirt",
        apparel(f"{COTTON};{POLYESTER};{LINEN}"),
        1.6,
        (8, 60),
    ),
    t(
        "hoodie",
        "apparel",
        "hoodie|hooded sweatshirt|hoody",
        "Hoodie|Pullover Hoodie|Hoodie Top",
        apparel(f"{COTTON};{FLEECE};{POLYESTER}"),
        1.2,
        (20, 120),
    ),
    t(
        "jeans",
        "apparel",
        "jeans|denim pants|denims",
        "Jeans|Slim Fit Jeans|Jean",
        apparel(
            "stretch=stretch|stretchy:Stretch|Stretch Denim;"
            "raw=raw denim|selvedge:Raw Denim|Selvedge"
        ),
        1.2,
        (20, 150),
    ),
    t(
        "sweater",
        "apparel",
        "sweater|jumper|pullover",
        "Sweater|Knit Sweater|Crew Neck Sweater",
        apparel(f"{WOOL};{COTTON};cashmere=cashmere:Cashmere|Pure Cashmere"),
        1.0,
        (20, 180),
    ),
    t(
        "jacket",
        "apparel",
        "jacket|windbreaker",
        "Jacket|Zip Jacket|Outdoor Jacket",
        apparel(f"{LEATHER};{POLYESTER};{FLEECE}"),
        1.0,
        (30, 300),
    ),
    t(
        "running-shoes",
        "footwear",
        "running shoes|sneakers|trainers|runners",
        "Running Shoes|Running Shoe|Runner Shoes",
        SHOES,
        1.4,
        (35, 220),
    ),
    t("boots", "footwear", "boots|ankle boots", "Boots|Boot|Chelsea Boots", SHOES, 1.0, (40, 300)),
    t(
        "sandals",
        "footwear",
        "sandals|sliders|slides",
        "Sandals|Sandal|Strap Sandals",
        SHOES,
        0.8,
        (15, 120),
    ),
    t(
        "slippers",
        "footwear",
        "slippers|house shoes",
        "Slippers|Slipper|Indoor Slippers",
        SHOES[:-1],
        0.5,
        (10, 60),
    ),
    t(
        "headphones",
        "electronics",
        "headphones|headset|earphones|cans",
        "Headphones|Over-Ear Headphones|Headphone",
        (TECH_BRANDS, COLOUR),
        1.2,
        (20, 400),
    ),
    t(
        "phone-case",
        "electronics",
        "phone case|phone cover|mobile case",
        "Phone Case|Case Cover|Protective Case",
        (TECH_BRANDS, COLOUR),
        1.3,
        (5, 50),
    ),
    t(
        "charger",
        "electronics",
        "charger|power adapter|charging plug",
        "Charger|Fast Charger|Wall Charger",
        (TECH_BRANDS, COLOUR),
        1.0,
        (8, 60),
    ),
    t(
        "laptop",
        "electronics",
        "laptop|notebook computer|notebook pc",
        "Laptop|Laptop Computer|Ultrabook Laptop",
        (TECH_BRANDS, COLOUR, SCREEN),
        0.9,
        (300, 2500),
    ),
    t(
        "smartwatch",
        "electronics",
        "smartwatch|smart watch|fitness watch",
        "Smartwatch|Smart Watch|Fitness Smartwatch",
        (TECH_BRANDS, COLOUR),
        0.8,
        (40, 450),
    ),
    t(
        "backpack",
        "bags",
        "backpack|rucksack|bookbag",
        "Backpack|Back Pack|Daypack Backpack",
        BAGS,
        1.1,
        (20, 200),
    ),
    t(
        "handbag",
        "bags",
        "handbag|purse|shoulder bag",
        "Handbag|Hand Bag|Tote Handbag",
        BAGS,
        1.0,
        (25, 600),
    ),
    t(
        "wallet",
        "bags",
        "wallet|billfold",
        "Wallet|Bifold Wallet|Card Wallet",
        BAGS,
        0.9,
        (10, 150),
    ),
    t(
        "mug",
        "home",
        "mug|coffee cup|coffee mug",
        "Mug|Coffee Mug|Tea Mug",
        home(f"{CERAMIC};{GLASS};{STEEL}"),
        1.0,
        (5, 40),
    ),
    t(
        "lamp",
        "home",
        "lamp|table light|reading light",
        "Lamp|Table Lamp|Desk Lamp",
        home(f"{STEEL};{GLASS};{CERAMIC}"),
        0.9,
        (15, 200),
    ),
    t(
        "rug",
        "home",
        "rug|carpet|area rug",
        "Rug|Area Rug|Floor Rug",
        home(f"{WOOL};{COTTON};jute=jute|natural fibre:Jute|Natural Jute"),
        0.9,
        (30, 600),
    ),
    t(
        "blanket",
        "home",
        "blanket|throw|bed throw",
        "Blanket|Throw Blanket|Knitted Blanket",
        home(f"{WOOL};{COTTON};{FLEECE}"),
        0.8,
        (15, 150),
    ),
    t(
        "cushion",
        "home",
        "cushion|throw pillow|pillow",
        "Cushion|Cushion Cover|Scatter Cushion",
        home(f"{COTTON};{LINEN};velvet=velvet:Velvet"),
        0.8,
        (8, 60),
    ),
    t(
        "kettle",
        "home",
        "kettle|electric kettle|tea kettle",
        "Kettle|Electric Kettle|Cordless Kettle",
        home(f"{STEEL};{GLASS}"),
        0.6,
        (15, 120),
    ),
    t(
        "bicycle",
        "sports",
        "bicycle|bike|cycle",
        "Bicycle|Road Bicycle|Bicycle Frame",
        (SPORT_BRANDS, COLOUR),
        0.7,
        (150, 2000),
    ),
    t(
        "yoga-mat",
        "sports",
        "yoga mat|exercise mat|workout mat",
        "Yoga Mat|Non Slip Yoga Mat",
        (SPORT_BRANDS, COLOUR),
        0.7,
        (10, 90),
    ),
    t(
        "dumbbells",
        "sports",
        "dumbbells|hand weights|free weights",
        "Dumbbells|Dumbbell Set|Dumbbell Pair",
        (SPORT_BRANDS, COLOUR),
        0.6,
        (15, 300),
    ),
    t(
        "stroller",
        "baby",
        "stroller|pushchair|pram|buggy",
        "Stroller|Baby Stroller|Travel Stroller",
        (BABY_BRANDS, COLOUR),
        0.6,
        (80, 900),
    ),
    t(
        "crib",
        "baby",
        "crib|cot|baby bed",
        "Crib|Baby Crib|Convertible Crib",
        (BABY_BRANDS, COLOUR),
        0.4,
        (100, 700),
    ),
)

TYPES_BY_KEY = {product_type.key: product_type for product_type in PRODUCT_TYPES}
CATEGORIES = tuple(sorted({product_type.category for product_type in PRODUCT_TYPES}))

MARKETING_WORDS = (
    "NEW",
    "Brand New",
    "NWT",
    "New With Tags",
    "Free Shipping",
    "Fast Ship",
    "Authentic",
    "SALE",
    "L@@K",
    "Gift",
    "Best Seller",
    "Limited Edition",
    "Premium",
    "2026",
    "Top Rated",
    "Pre-owned",
    "Excellent Condition",
    "Hot!!",
)

# Words Search knows as product nouns and weighs double: each type's canonical words only, so
# Search is blind to synonyms ("couch") as a lexical engine is.
PRODUCT_NOUNS = frozenset(
    word
    for product_type in PRODUCT_TYPES
    for form in (product_type.title_forms[0], product_type.query_forms[0])
    for word in form.lower().replace("-", " ").split()
)
