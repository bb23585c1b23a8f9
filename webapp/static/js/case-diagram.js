// The case page's process diagrams: bpmn-js (served by the app) draws each diagram of the
// case's own process version, then marks the steps done and where the case is now, from
// the page's progress endpoint. No inline script: everything comes from data attributes.
(function () {
  'use strict'

  var wrapper = document.getElementById('case-diagrams')
  if (!wrapper || typeof window.BpmnJS !== 'function' || !window.fetch) {
    return
  }

  function get (url, as) {
    return window.fetch(url, { credentials: 'same-origin', headers: { Accept: as === 'json' ? 'application/json' : 'application/xml' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(url + ': ' + response.status)
        }
        return as === 'json' ? response.json() : response.text()
      })
  }

  function mark (viewer, ids, marker) {
    var canvas = viewer.get('canvas')
    var registry = viewer.get('elementRegistry')
    ids.forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker)
      }
    })
  }

  function failed (element) {
    element.textContent = ''
    var message = document.createElement('p')
    message.className = 'govuk-body app-diagram__fallback'
    message.textContent = 'The diagram could not be shown. The steps are listed above it.'
    element.appendChild(message)
  }

  get(wrapper.getAttribute('data-progress-url'), 'json').then(function (progress) {
    var diagrams = wrapper.querySelectorAll('[data-diagram-url]')
    Array.prototype.forEach.call(diagrams, function (element) {
      var info = progress.processes[element.getAttribute('data-process')] || { done: [], current: [], flows: [] }
      get(element.getAttribute('data-diagram-url'), 'xml').then(function (xml) {
        element.textContent = ''
        var viewer = new window.BpmnJS({ container: element })
        return viewer.importXML(xml).then(function () {
          viewer.get('canvas').zoom('fit-viewport')
          mark(viewer, info.done, 'app-step--done')
          mark(viewer, info.flows, 'app-flow--taken')
          mark(viewer, info.current, 'app-step--current')
          element.setAttribute('data-diagram-ready', 'true')
        })
      }).catch(function () { failed(element) })
    })
  }).catch(function () {
    Array.prototype.forEach.call(wrapper.querySelectorAll('[data-diagram-url]'), failed)
  })
})()
