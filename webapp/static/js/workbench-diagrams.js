// The workbench's read-only diagrams (bpmn-js viewer, served by the app): a version, two
// versions side by side, or a scenario run's heat-map. Each diagram's marks come from its
// data-marks attribute: {"visited": [...], "missed": [...], "added": [...], ...}; each list's
// elements get the marker app-mark--<list>. A run still going is polled until it finishes.
(function () {
  'use strict'

  var run = document.getElementById('run')
  if (run && run.getAttribute('data-state') === 'running' && window.fetch) {
    var poll = function () {
      window.fetch(run.getAttribute('data-status-url'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) { return response.json() })
        .then(function (answer) {
          if (answer.state === 'running') {
            window.setTimeout(poll, 2000)
          } else {
            window.location.reload()
          }
        })
        .catch(function () { window.setTimeout(poll, 5000) })
    }
    window.setTimeout(poll, 2000)
  }

  if (typeof window.BpmnJS !== 'function' || !window.fetch) {
    return
  }
  Array.prototype.forEach.call(document.querySelectorAll('.app-diagram--workbench[data-diagram-url]'), function (element) {
    var marks = JSON.parse(element.getAttribute('data-marks') || '{}')
    window.fetch(element.getAttribute('data-diagram-url'), { credentials: 'same-origin', headers: { Accept: 'application/xml' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status)
        }
        return response.text()
      })
      .then(function (xml) {
        element.textContent = ''
        var viewer = new window.BpmnJS({ container: element })
        return viewer.importXML(xml).then(function () {
          var canvas = viewer.get('canvas')
          var registry = viewer.get('elementRegistry')
          canvas.zoom('fit-viewport')
          Object.keys(marks).forEach(function (kind) {
            marks[kind].forEach(function (id) {
              if (registry.get(id)) {
                canvas.addMarker(id, 'app-mark--' + kind)
              }
            })
          })
          element.setAttribute('data-diagram-ready', 'true')
        })
      })
      .catch(function () {
        element.textContent = 'The diagram could not be shown; the list on this page says the same.'
      })
  })
})()
