/**
 * The demo campaign: "define a word" prompts, each with two answers of different
 * quality, so a new user has real comparisons to make the moment the app starts.
 */
export const demoCampaign = {
  name: "Demo: short definitions",
  guidelines: [
    "## What to judge",
    "",
    "Pick the response that **defines the word correctly, in plain English, in one short sentence**.",
    "",
    "- Correctness first: a fluent but wrong definition loses.",
    "- Then clarity: prefer the answer a learner would understand.",
    "- Choose *tie* only when neither is better; *both bad* when neither is acceptable.",
  ].join("\n"),
  overlap: 3,
};

export const demoItems: { prompt: string; a: string; b: string }[] = [
  { prompt: "Define: harbor", a: "A sheltered stretch of water where ships can anchor safely.", b: "A kind of small boat used for fishing near the coast." },
  { prompt: "Define: lantern", a: "A portable case with transparent sides that holds a light.", b: "A lamp; a light." },
  { prompt: "Define: glacier", a: "A slowly moving mass of ice formed from compacted snow on land.", b: "A very cold lake that stays frozen for the whole year." },
  { prompt: "Define: orchard", a: "A piece of land planted with fruit trees.", b: "An area of land where fruit or nut trees are grown, usually for harvest." },
  { prompt: "Define: ledger", a: "A book in which a business records its financial transactions.", b: "A flat shelf that sticks out from a wall or a cliff." },
  { prompt: "Define: meadow", a: "A field of grass and wild flowers, often used for hay.", b: "A meadow is a meadow where grass grows in a meadow." },
  { prompt: "Define: compass", a: "An instrument with a magnetized needle that points to magnetic north.", b: "A tool for measuring how heavy something is." },
  { prompt: "Define: quarry", a: "A place where stone is dug or cut from the ground; also, an animal being hunted.", b: "A place where stone is cut from the ground." },
  { prompt: "Define: anvil", a: "A heavy iron block on which a smith hammers hot metal into shape.", b: "A small bone in the ear, and nothing else." },
  { prompt: "Define: thimble", a: "A small cap worn on the finger to push a needle when sewing.", b: "A cup used to measure very small amounts of liquid in cooking." },
  { prompt: "Define: drought", a: "A long period with much less rain than usual.", b: "A long period of time with little or no rain, causing water shortages." },
  { prompt: "Define: canopy", a: "The upper layer of a forest formed by the crowns of trees; also, a cloth cover held above something.", b: "The floor of a rainforest." },
  { prompt: "Define: pilgrim", a: "A person who travels to a sacred place for religious reasons.", b: "Someone who travels." },
  { prompt: "Define: scaffold", a: "A temporary structure of poles and planks that supports workers on a building.", b: "A type of cloth used to make warm winter coats." },
  { prompt: "Define: ember", a: "A small glowing piece of wood or coal left in a dying fire.", b: "A glowing piece of coal or wood in a fire that is going out." },
  { prompt: "Define: quill", a: "A pen made from a large feather; also, a spine of a porcupine.", b: "A soft blanket filled with feathers." },
  { prompt: "Define: loom", a: "A machine for weaving thread into cloth.", b: "A dark cloud that brings heavy rain." },
  { prompt: "Define: estuary", a: "The wide mouth of a river where fresh water meets the sea's tide.", b: "Where a river meets the sea." },
  { prompt: "Define: satchel", a: "A bag with a long strap worn over the shoulder, often for books.", b: "A bag." },
  { prompt: "Define: harvest", a: "The gathering of ripe crops, or the season when it happens.", b: "Planting seeds in the spring so that crops can grow." },
  { prompt: "Define: beacon", a: "A light or fire set up as a signal or warning.", b: "A fire or light placed on a hill or tower as a signal, warning or guide." },
  { prompt: "Define: cellar", a: "A room below ground level in a house, often for storage.", b: "A person who sells things at a market." },
  { prompt: "Define: ferry", a: "A boat that carries people and vehicles across a stretch of water on a regular route.", b: "A small magical creature from children's stories." },
  { prompt: "Define: riddle", a: "A question or statement worded so that it needs ingenuity to answer.", b: "A puzzle." },
];

export const demoAccounts = [
  { email: "admin@pairwise.local", name: "Demo Admin", role: "admin" },
  { email: "researcher@pairwise.local", name: "Demo Researcher", role: "researcher" },
  { email: "labeler1@pairwise.local", name: "Demo Labeler 1", role: "labeler" },
  { email: "labeler2@pairwise.local", name: "Demo Labeler 2", role: "labeler" },
  { email: "labeler3@pairwise.local", name: "Demo Labeler 3", role: "labeler" },
] as const;
