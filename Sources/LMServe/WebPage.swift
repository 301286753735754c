/// The page `lm-serve` shows at `/`: a prompt, a strategy and its parameters, a length, and
/// the continuation appearing as it streams from `POST /v1/completions`. Plain HTML and a
/// little JavaScript, served by the binary itself (no build step, no CDN).
///
/// Query parameters fill the form (`?prompt=…&max_tokens=…&strategy=…&seed=…&model=…`);
/// `autostart=1` submits it on load (how the browser test drives it). When a stream ends, the
/// output element's `data-state` becomes `done` (or `error`).
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lm-serve</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.3rem; margin-bottom: .2rem; }
  p.note { color: #666; margin-top: 0; }
  form { display: grid; grid-template-columns: repeat(5, 1fr); gap: .6rem 1rem; align-items: end; }
  label { display: flex; flex-direction: column; font-size: .85rem; color: #444; }
  textarea { grid-column: 1 / -1; width: 100%; min-height: 4.5rem; font: inherit; box-sizing: border-box; }
  input, select, button { font: inherit; padding: .25rem; }
  button { grid-column: 5; }
  #output { white-space: pre-wrap; border: 1px solid #ccc; border-radius: 4px; padding: .8rem; min-height: 6rem; margin-top: 1rem; background: #fafafa; }
  #output .prompt { color: #888; }
  #status { color: #666; font-size: .85rem; margin-top: .4rem; }
</style>
</head>
<body>
<h1>lm-serve</h1>
<p class="note">A recurrent language model trained with LMKit. The continuation streams from <code>POST /v1/completions</code>.</p>
<form id="form">
  <textarea id="prompt" name="prompt" placeholder="a prefix to continue">time traveller</textarea>
  <label>model <select id="model" name="model"></select></label>
  <label>strategy
    <select id="strategy" name="strategy">
      <option>greedy</option><option>temperature</option><option>top-k</option><option>top-p</option><option>alpha</option><option>beam</option>
    </select>
  </label>
  <label>tokens <input id="max_tokens" name="max_tokens" type="number" min="1" value="100"></label>
  <label>seed <input id="seed" name="seed" type="number" min="0" value="0"></label>
  <label>temperature <input id="temperature" name="temperature" type="number" step="0.05" min="0" value="1"></label>
  <label>top-k <input id="top_k" name="top_k" type="number" min="1" value="10"></label>
  <label>top-p <input id="top_p" name="top_p" type="number" step="0.05" min="0" max="1" value="0.9"></label>
  <label>alpha <input id="alpha" name="alpha" type="number" step="0.1" min="0" value="2"></label>
  <label>beams <input id="beams" name="beams" type="number" min="1" max="64" value="4"></label>
  <button id="go" type="submit">Generate</button>
</form>
<div id="output" data-state="idle"></div>
<div id="status"></div>
<script>
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
for (const [key, value] of params) { if ($(key) && key !== "model") $(key).value = value; }

async function loadModels() {
  const reply = await fetch("/v1/models");
  const list = await reply.json();
  for (const m of list.data) { const o = document.createElement("option"); o.textContent = m.id; $("model").append(o); }
  if (params.get("model")) $("model").value = params.get("model");
}

function body() {
  const strategy = $("strategy").value;
  const request = { model: $("model").value, prompt: $("prompt").value, max_tokens: +$("max_tokens").value,
                    seed: +$("seed").value, stream: true, strategy };
  if (strategy === "temperature" || strategy === "top-k" || strategy === "top-p") request.temperature = +$("temperature").value;
  if (strategy === "top-k") request.top_k = +$("top_k").value;
  if (strategy === "top-p") request.top_p = +$("top_p").value;
  if (strategy === "alpha") request.alpha = +$("alpha").value;
  if (strategy === "beam") request.beams = +$("beams").value;
  return request;
}

async function generate(event) {
  if (event) event.preventDefault();
  const out = $("output");
  out.textContent = "";
  const prompt = document.createElement("span"); prompt.className = "prompt"; prompt.textContent = $("prompt").value;
  const text = document.createElement("span"); text.id = "completion";
  out.append(prompt, text);
  out.dataset.state = "streaming";
  $("go").disabled = true;
  const started = performance.now();
  let tokens = 0;
  try {
    const reply = await fetch("/v1/completions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body()) });
    if (!reply.ok) { const e = await reply.json(); throw new Error(e.error.message); }
    const reader = reply.body.getReader();
    const decoder = new TextDecoder();
    let pending = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = pending.indexOf("\n\n")) >= 0) {
        const line = pending.slice(0, cut); pending = pending.slice(cut + 2);
        if (!line.startsWith("data: ")) continue;
        const data = line.slice(6);
        if (data === "[DONE]") continue;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        text.textContent += chunk.choices[0].text;
        tokens += 1;
        $("status").textContent = `${tokens} events, ${((performance.now() - started) / 1000).toFixed(2)} s`;
      }
    }
    out.dataset.state = "done";
  } catch (error) {
    out.dataset.state = "error";
    $("status").textContent = "error: " + error.message;
  } finally {
    $("go").disabled = false;
  }
}

$("form").addEventListener("submit", generate);
loadModels().then(() => { if (params.get("autostart") === "1") generate(); });
</script>
</body>
</html>
"""#
}
