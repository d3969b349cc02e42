/* The Chats view: the chats on the server, newest first, each opened or deleted (two
   taps) from its row, a screenful at a time (lists.js). ES5 only (see app.js). Loaded
   after lists.js, before app.js, whose openChat,
   newChat and view it calls (KC); adds KC.showChats. */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, api = K.api, make = K.make, button = K.button,
  setText = K.setText, notice = K.notice, chatPath = K.chatPath;

function showChats() {
  K.view('chats');
  api('GET', '/api/chats', null, function (err, d) {
    var chats = (d && d.chats) || [], i, list = $('chat-list');
    setText(list, err ? err.message : chats.length ? '' : T.noChats);
    for (i = 0; i < chats.length; i++) { list.appendChild(chatRow(chats[i])); }
    K.pageList(list);   // lists.js: a screenful, and Previous/Next
  });
}

function chatRow(c) {
  var row = make('div', 'chat' + (c.id === S.chat ? ' current' : '')), del, d = new Date(c.updated * 1000 || c.updated);
  row.setAttribute('data-id', c.id);
  row.appendChild(button(c.title || T.newChat, 'open', function () { K.openChat(c.id); }))
    .appendChild(make('span', 'meta', (isNaN(d) ? '' : K.when(d)) +
      (c.count ? ' \u00B7 ' + c.count + T.messages : '')));
  // two taps: the new Kindle browser has no confirm()
  del = row.appendChild(button(T.del, 'delete', function () {
    if (!del.getAttribute('data-armed')) { del.setAttribute('data-armed', 1); K.guard(del); return setText(del, T.delSure); }
    if (K.guarded(del)) { return; }   // the second tap of a double tap
    api('DELETE', chatPath(c.id), {}, function (err) {
      if (err) { return notice(err.message); }
      row.parentNode.removeChild(row);
      K.pageList($('chat-list'), true);
      if (c.id === S.chat) { K.newChat(); K.view('chats'); }
    });
  }));
  return row;
}

K.showChats = showChats;
}());
