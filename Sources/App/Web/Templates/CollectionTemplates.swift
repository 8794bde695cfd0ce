/// The collections dashboard.
enum CollectionTemplates {
    static let dashboard = """
        {{<layout}}{{$body}}
        <h1>Cobranza</h1>
        {{#empty}}<p>Aún no hay días cerrados. El cierre diario corre solo cada madrugada, o con <code>cartera close-day</code>; después aquí se ve la morosidad de cada día.</p>{{/empty}}
        {{^empty}}
        <form method="get" action="/cobranza" class="inline"><label>Día cerrado <input type="date" name="fecha" value="{{date}}"></label> <button type="submit">Ver</button></form>
        <p>Al {{date}}: {{loans}} créditos vigentes, cartera total {{gross}}. <a href="/cobranza/morosidad.csv?fecha={{date}}" id="csv">Descargar CSV</a></p>
        <table id="indicadores"><tbody>
          <tr><td>PAR30 (saldo de créditos con más de 30 días de atraso y reestructurados ÷ cartera total)</td><td>{{par30}} %</td></tr>
          <tr><td>PAR90</td><td>{{par90}} %</td></tr>
          <tr><td>IMOR (cartera vencida ÷ cartera total)</td><td>{{imor}} % ({{nonPerforming}})</td></tr>
        </tbody></table>
        <h2>Saldo por rango de atraso</h2>
        <figure class="chart">{{{chart}}}</figure>
        <table id="rangos"><thead><tr><th>Rango</th><th>Créditos</th><th>% por número</th><th>Saldo de capital</th><th>% por saldo</th></tr></thead><tbody>
          {{#buckets}}<tr><td>{{label}}</td><td>{{loans}}</td><td>{{shareLoans}} %</td><td>{{principal}}</td><td>{{sharePrincipal}} %</td></tr>{{/buckets}}
        </tbody></table>
        {{#comparison}}<h2>Migración entre rangos desde el {{from}} (% del saldo de cada rango)</h2>
        <table id="migracion"><thead><tr><th>De \\ a</th>{{#codes}}<th>{{code}}</th>{{/codes}}<th>Salió</th></tr></thead><tbody>
          {{#rows}}<tr><td>{{from}}</td>{{#cells}}<td>{{value}} %</td>{{/cells}}</tr>{{/rows}}
        </tbody></table>
        <p>Curas: {{cure}} % de los créditos atrasados el {{from}} están al corriente.</p>{{/comparison}}
        {{^comparison}}<p>Sin un día cerrado un mes antes para comparar la migración entre rangos.</p>{{/comparison}}
        {{/empty}}
        {{/body}}{{/layout}}
        """
}
