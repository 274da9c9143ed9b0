<html><head><script>
function color(s) { if (s) document.bgColor=s }
var id='SESSIONID-1'
var userid='alice'
var calid='alice'
var errno=new Array()
var errstr=''
var timezoneList=new Array()
var calprops=new Array()
var layer_errno=new Array()
var layerid=new Array()
var xprops=new Array()
var data=new Array()
var event=new Array()
var eventD=new Array()
var todo=new Array()
var status_types=new Array('confirmed', 'tentative', 'cancelled', 'needs-action', 'completed', 'in-process')
function iso(p) { if (!p) return null
  var y = p.substring(0, 4), m = p.substring(4, 6), d = p.substring(6, 8), h = p.substring(9, 11) || 0, i = p.substring(11, 13) || 0, s = p.substring(13, 15) || 0
  return p.charAt(15) == 'Z' ? new Date(Date.UTC(y, m - 1, d, h, i, s, 0)) : new Date(y, m - 1, d, h, i, s, 0) }
function E (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33) {
  this.uid = a1
  this.rid = a2
  this.calid = a3
  this.dtstart = iso(a4)
  this.dtend = iso(a5)
  this.status = a6
  this.isAllDay = a7
  this.summary = a8
  this.created = iso(a9)
  this.lastMod = iso(a10)
  this.seq = a11
  this.geo = new Array(a12, a13)
  this.desc = a14
  this.icsUrl = a15
  this.icsClass = a16
  this.location = a17
  this.alarmStart = a18
  this.alarmEmails = a19
  this.rrules = a20
  this.rdates = a21
  this.exrules = a22
  this.exdates = a23
  this.tzid = a24
  this.priority = a25
  this.relatedTos = a26
  this.resources = a27
  this.categories = a28
  this.attachments = a29
  this.contacts = a30
  this.attendees = a31
  this.orgEmail = a32
  this.linkCalid = a33 }
function T (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35) {
  this.uid = a1
  this.rid = a2
  this.calid = a3
  this.dtstart = iso(a4)
  this.due = iso(a5)
  this.status = a6
  this.isAllDay = a7
  this.summary = a8
  this.created = iso(a9)
  this.lastMod = iso(a10)
  this.seq = a11
  this.geo = new Array(a12, a13)
  this.desc = a14
  this.icsUrl = a15
  this.icsClass = a16
  this.location = a17
  this.alarmStart = a18
  this.alarmEmails = a19
  this.rrules = a20
  this.rdates = a21
  this.exrules = a22
  this.exdates = a23
  this.completed = iso(a24)
  this.percent = a25
  this.tzid = a26
  this.priority = a27
  this.relatedTos = a28
  this.resources = a29
  this.categories = a30
  this.attachments = a31
  this.contacts = a32
  this.attendees = a33
  this.orgEmail = a34
  this.linkCalid = a35 }
function CP (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) {
  this.calid = a1; this.name = a2; this.parent = a3; this.tzid = a4; this.read = a5; this.write = a6; this.charset = a7; this.lang = a8
  this.master = a9; this.desc = a10; this.lastMod = iso(a11); this.created = iso(a12); this.primaryOwner = a13; this.owners = a14; this.categories = a15 }
function X (name, value, params) { this.name = name; this.value = value; this.params = params }
layerid[0]='alice'
calprops[0]=new CP('alice', 'alice', '', 'UTC', '999', '999', '', '', '', 'alice', '', '', 'alice', new Array(), new Array())
xprops[0]=new Array(new X('X-NSCP-CALPROPS-RELATIVE-CALID', 'alice', {}), new X('X-NSCP-CALPROPS-NAME', 'alice', {}), new X('X-NSCP-CALPROPS-PRIMARY-OWNER', 'alice', {}), new X('X-S1CS-CALPROPS-COMMON-NAME', 'alice', {}), new X('X-NSCP-CALPROPS-DESCRIPTION', 'alice', {}), new X('X-NSCP-CALPROPS-TZID', 'UTC', {}), new X('X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY', '@@o^a^rsf^g', {}), new X('X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY', '@@o^c^wdeic^g', {}), new X('X-NSCP-CALPROPS-READ', '999', {}), new X('X-NSCP-CALPROPS-WRITE', '999', {}), new X('X-NSCP-CALPROPS-RESOURCE', '0', {}))
data[0]='BEGIN:VCALENDAR\r\nPRODID:-//wcap-gateway//WCAP 3.0//EN\r\nMETHOD:PUBLISH\r\nVERSION:2.0\r\nX-NSCP-CALPROPS-RELATIVE-CALID:alice\r\nX-NSCP-CALPROPS-NAME:alice\r\nX-NSCP-CALPROPS-PRIMARY-OWNER:alice\r\nX-S1CS-CALPROPS-COMMON-NAME:alice\r\nX-NSCP-CALPROPS-DESCRIPTION:alice\r\nX-NSCP-CALPROPS-TZID:UTC\r\nX-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY:@@o^a^rsf^g\r\nX-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY:@@o^c^wdeic^g\r\nX-NSCP-CALPROPS-READ:999\r\nX-NSCP-CALPROPS-WRITE:999\r\nX-NSCP-CALPROPS-RESOURCE:0\r\nX-NSCP-WCAP-ERRNO:0\r\nBEGIN:VTODO\r\nUID:golden-report\r\nDTSTAMP:20260201T120000Z\r\nCREATED:20251215T080000Z\r\nLAST-MODIFIED:20251215T080000Z\r\nDUE;VALUE=DATE:20260320\r\nSUMMARY:Report\r\nEND:VTODO\r\nBEGIN:VTODO\r\nUID:golden-never\r\nEND:VTODO\r\nBEGIN:VTODO\r\nUID:golden-fresh\r\nEND:VTODO\r\nEND:VCALENDAR\r\n'
todo[0]=new T('golden-report', '0', 'alice', '', '20260320', -1, 0, 'Report', '20251215T080000Z', '20251215T080000Z', '0', '', '', '', '', '', '', '', new Array(), new Array(), new Array(), new Array(), new Array(), '', '', '', '0', new Array(), new Array(), new Array(), new Array(), new Array(), new Array(), '', '')
todo[1]=new T('golden-never', '0', 'alice', '', '', -1, 0, '', '', '', '0', '', '', '', '', '', '', '', new Array(), new Array(), new Array(), new Array(), new Array(), '', '', '', '0', new Array(), new Array(), new Array(), new Array(), new Array(), new Array(), '', '')
todo[2]=new T('golden-fresh', '0', 'alice', '', '', -1, 0, '', '', '', '0', '', '', '', '', '', '', '', new Array(), new Array(), new Array(), new Array(), new Array(), '', '', '', '0', new Array(), new Array(), new Array(), new Array(), new Array(), new Array(), '', '')
layer_errno[0]=0
var size=0
var sizeD=0
var todosize=3
errno[0]=0
if (typeof parent == 'object' && parent && typeof parent.Calverifytodos_by_idsCallback == 'function') parent.Calverifytodos_by_idsCallback(window.name)
</script></head></html>
