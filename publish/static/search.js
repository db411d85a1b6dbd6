// Search with Pagefind, from static files: every shard and language is queried, results merged.
// The form also works as a plain GET (?q=...), so results have an address and survive a reload.
const form = document.querySelector("form.search");
const input = document.getElementById("q");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const indexUrl = new URL(form.dataset.index, document.baseURI).href;
const home = form.dataset.home;
let loading = null;

function load() {
  // One load for all searches; a failed one (the network, say) is tried again by the next.
  loading ??= open().catch((error) => { loading = null; throw error; });
  return loading;
}

async function open() {
  const { shards } = await (await fetch(indexUrl + "shards.json")).json();
  // The index comes in shards of a few thousand comments, one Pagefind bundle each. Each
  // language has its own index, stemmed (or, for Chinese, split into words) its own way, and a
  // query must be read the same way: one Pagefind per language, each its own module (its own
  // WebAssembly and worker), opened on the language's first shard, the others merged into it.
  const bundles = new Map();
  for (const shard of shards) {
    for (const language of shard.languages) {
      if (!bundles.has(language)) bundles.set(language, []);
      bundles.get(language).push(`${indexUrl}${shard.folder}/`);
    }
  }
  const languages = [...bundles.keys()].sort();
  const modules = await Promise.all(
    languages.map((language) => import(`${bundles.get(language)[0]}pagefind.js?language=${language}`))
  );
  // Pagefind takes the language from <html lang> when an instance is created, so it is set for
  // that moment.
  const pageLanguage = document.documentElement.lang;
  let instances;
  try {
    instances = modules.map((pagefind, index) => {
      document.documentElement.lang = languages[index];
      return pagefind.createInstance({ basePath: bundles.get(languages[index])[0], excerptLength: 30 });
    });
  } finally {
    document.documentElement.lang = pageLanguage;
  }
  await Promise.all(instances.map(async (instance, index) => {
    const language = languages[index];
    for (const bundle of bundles.get(language).slice(1)) await instance.mergeIndex(bundle, { language });
  }));
  return instances;
}

function say(key, count) {
  statusLine.textContent = statusLine.dataset[key].replace("{count}", String(count ?? ""));
}

function item(data) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  // The index knows each comment as /submissions/<reference>.html; its page is in this language.
  const reference = (data.url.match(/submissions\/([^/]+)\.html$/) || ["", ""])[1];
  link.href = `${home}submissions/${reference}/index.html`;
  const ref = document.createElement("span");
  ref.className = "ref";
  ref.textContent = data.meta.reference || "";
  const title = document.createElement("span");
  title.dir = "auto";
  title.textContent = (data.meta.title || "").replace(data.meta.reference || "", "").trim();
  link.append(ref, " ", title);
  const excerpt = document.createElement("span");
  excerpt.className = "excerpt";
  excerpt.dir = "auto";
  // Pagefind marks the matched words with <mark>; everything else is text we escape ourselves.
  for (const [index, piece] of data.excerpt.split(/<\/?mark>/).entries()) {
    const text = document.createTextNode(piece.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&"));
    if (index % 2) { const mark = document.createElement("mark"); mark.append(text); excerpt.append(mark); }
    else excerpt.append(text);
  }
  li.append(link, excerpt);
  return li;
}

async function run(query) {
  list.replaceChildren();
  if (!query.trim()) { statusLine.textContent = ""; return; }
  say("searching");
  try {
    const searches = await Promise.all((await load()).map((p) => p.search(query)));
    const results = searches.flatMap((s) => s.results).sort((a, b) => b.score - a.score);
    const shown = await Promise.all(results.slice(0, 50).map((r) => r.data()));
    list.replaceChildren(...shown.map(item));
    if (results.length) say("found", results.length); else say("none");
  } catch (error) {
    console.error(error);
    say("failed");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  run(input.value);
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; run(initial); }
