/* Less typing (issue 15): the one-tap prompts under the message box and the follow-up
   questions under a finished reply, each a button that sends at once. ES5 only (see
   app.js). Loaded after settings.js and before app.js, which sets KC.sendText; adds
   drawQuick, quickDefaults and followUps to KC. */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, button = K.button, clear = K.clear, trim = K.trim;

// This language's set; Translate goes into the reader's language (translate_to where set).
function quickDefaults() { return T.quick.concat([T.translateInto + (S.translateTo || T.langName)]); }

// S.quick is the quick_prompts setting (null: the default set). Drawn again only when it
// changed: every redraw costs on e-ink.
function drawQuick() {
  var row = $('quick-row'), list = S.quick && S.quick.length ? S.quick : quickDefaults(), i;
  if (row.getAttribute('data-prompts') === list.join('\n')) { return; }
  row.setAttribute('data-prompts', list.join('\n'));
  clear(row);
  for (i = 0; i < list.length; i++) { row.appendChild(button(list[i], 'quick', tap(list[i]))); }
  K.layout();
}

// With a draft in the box, the draft goes with the prompt as its context
// ("Summarize: <draft>") and the box is emptied, as Send empties it.
function tap(prompt) {
  return function () {
    var draft = trim($('message').value);
    K.sendText(draft ? prompt + ': ' + draft : prompt, !!draft);
  };
}

// Under a finished reply only (the server sends none after an error or Stop); a tap
// sends the question and leaves any draft in the box. r.fu is the reply's row.
function followUps(r, d) {
  var list = (d.status === 'done' && d.follow_ups) || [], i;
  if ((r.fuKey || '') === list.join('\n')) { return; }
  r.fuKey = list.join('\n');
  clear(r.fu);
  for (i = 0; i < list.length; i++) { r.fu.appendChild(button(list[i], 'follow-up', ask(list[i]))); }
}
function ask(question) { return function () { K.sendText(question, false); }; }

K.drawQuick = drawQuick;
K.quickDefaults = quickDefaults;
K.followUps = followUps;
}());
