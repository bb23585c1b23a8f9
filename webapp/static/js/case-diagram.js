// The case page's process diagrams: bpmn-js (served by the app) draws each diagram of the
// case's own process version, then marks the steps done and where the case is now, from
// the page's progress endpoint. No inline script: everything comes from data attributes.
//
// A diagram is drawn when it is first seen (the Process tab opened): drawn in a hidden tab it
// would have no size to fit. It opens at a readable size, centred on where the case is now,
// or fitted to the width when the case is nowhere in it; the buttons above it zoom.
(function () {
  'use strict'

  var READABLE = 0.8 // the smallest scale at which a step's name can be read
  var STEP = 1.25

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
    message.textContent = 'The diagram could not be shown. Where the case is now is said above it.'
    element.appendChild(message)
  }

  function show (element, canvas, box) {
    canvas.viewbox(box)
    element.setAttribute('data-scale', canvas.zoom().toFixed(3))
  }

  // the whole width of the diagram in view, from its top
  function fit (element, canvas) {
    var inner = canvas.viewbox().inner
    var outer = canvas.viewbox().outer
    var margin = 20
    var scale = outer.width / (inner.width + 2 * margin)
    show(element, canvas, {
      x: inner.x - margin,
      y: inner.y - margin,
      width: outer.width / scale,
      height: outer.height / scale
    })
  }

  // where the case is now (every current step together) in the middle of the view, at ``scale``
  function centre (element, canvas, registry, current, scale) {
    var steps = current.map(function (id) { return registry.get(id) }).filter(function (step) {
      return step && typeof step.x === 'number'
    })
    if (!steps.length) {
      return false
    }
    var left = Math.min.apply(null, steps.map(function (s) { return s.x }))
    var top = Math.min.apply(null, steps.map(function (s) { return s.y }))
    var right = Math.max.apply(null, steps.map(function (s) { return s.x + s.width }))
    var bottom = Math.max.apply(null, steps.map(function (s) { return s.y + s.height }))
    var outer = canvas.viewbox().outer
    var width = outer.width / scale
    var height = outer.height / scale
    show(element, canvas, {
      x: (left + right) / 2 - width / 2,
      y: (top + bottom) / 2 - height / 2,
      width: width,
      height: height
    })
    return true
  }

  function zoom (element, canvas, factor) {
    canvas.zoom(canvas.zoom() * factor, 'auto')
    element.setAttribute('data-scale', canvas.zoom().toFixed(3))
  }

  function draw (element, info) {
    return get(element.getAttribute('data-diagram-url'), 'xml').then(function (xml) {
      element.textContent = ''
      var viewer = new window.BpmnJS({ container: element })
      return viewer.importXML(xml).then(function () {
        var canvas = viewer.get('canvas')
        var registry = viewer.get('elementRegistry')
        mark(viewer, info.done, 'app-step--done')
        mark(viewer, info.flows, 'app-flow--taken')
        mark(viewer, info.current, 'app-step--current')
        fit(element, canvas)
        if (canvas.zoom() < READABLE) {
          centre(element, canvas, registry, info.current, READABLE)
        }
        var controls = element.parentNode.querySelector('.app-diagram__controls')
        controls.hidden = false
        controls.addEventListener('click', function (event) {
          var button = event.target.closest('[data-zoom]')
          var action = button && button.getAttribute('data-zoom')
          if (action === 'fit') {
            fit(element, canvas)
          } else if (action === 'in') {
            zoom(element, canvas, STEP)
          } else if (action === 'out') {
            zoom(element, canvas, 1 / STEP)
          } else if (action === 'current') {
            centre(element, canvas, registry, info.current, Math.max(canvas.zoom(), READABLE))
          }
        })
        element.setAttribute('data-diagram-ready', 'true')
      })
    }).catch(function () { failed(element) })
  }

  // each diagram is drawn the first time it has a size on the page
  function whenSeen (element, then) {
    if (element.offsetWidth > 0) {
      then()
      return
    }
    var observer = new window.ResizeObserver(function () {
      if (element.offsetWidth > 0) {
        observer.disconnect()
        then()
      }
    })
    observer.observe(element)
  }

  get(wrapper.getAttribute('data-progress-url'), 'json').then(function (progress) {
    var diagrams = wrapper.querySelectorAll('[data-diagram-url]')
    Array.prototype.forEach.call(diagrams, function (element) {
      var info = progress.processes[element.getAttribute('data-process')] || { done: [], current: [], flows: [] }
      whenSeen(element, function () { draw(element, info) })
    })
  }).catch(function () {
    Array.prototype.forEach.call(wrapper.querySelectorAll('[data-diagram-url]'), failed)
  })
})()
